#include "CMPIShim.h"
#include <mpi.h>

int ss_mpi_init(void) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (initialized) return MPI_SUCCESS;
  /* FUNNELED: only the main thread calls MPI; training runs on other threads. */
  int provided = MPI_THREAD_SINGLE;
  int status = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
  if (status == MPI_SUCCESS && provided < MPI_THREAD_FUNNELED) return -2;
  if (status == MPI_SUCCESS) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  return status;
}

int ss_mpi_is_initialized(void) {
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  return initialized && !finalized;
}

int ss_mpi_finalize(void) { return MPI_Finalize(); }

int ss_mpi_rank(void) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int ss_mpi_size(void) {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

double ss_mpi_wtime(void) { return MPI_Wtime(); }
int ss_mpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
int ss_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

int ss_mpi_processor_name(char *buffer, int capacity) {
  char name[MPI_MAX_PROCESSOR_NAME];
  int length = 0;
  int status = MPI_Get_processor_name(name, &length);
  if (capacity < 1) return -1;
  int n = length < capacity - 1 ? length : capacity - 1;
  for (int i = 0; i < n; i++) buffer[i] = name[i];
  buffer[n] = '\0';
  return status;
}

int ss_mpi_send_doubles(const double *data, int count, int destination, int tag) {
  return MPI_Send(data, count, MPI_DOUBLE, destination, tag, MPI_COMM_WORLD);
}

static void unpack(const MPI_Status *s, int *out_source, int *out_tag, int *out_count) {
  if (out_source) *out_source = s->MPI_SOURCE;
  if (out_tag) *out_tag = s->MPI_TAG;
  if (out_count) MPI_Get_count(s, MPI_DOUBLE, out_count);
}

int ss_mpi_recv_doubles(double *data, int capacity, int source, int tag, int *out_source,
                        int *out_tag, int *out_count) {
  MPI_Status s;
  int status = MPI_Recv(data, capacity, MPI_DOUBLE, source < 0 ? MPI_ANY_SOURCE : source,
                        tag < 0 ? MPI_ANY_TAG : tag, MPI_COMM_WORLD, &s);
  if (status == MPI_SUCCESS) unpack(&s, out_source, out_tag, out_count);
  return status;
}

int ss_mpi_iprobe(int source, int tag, int *flag, int *out_source, int *out_tag, int *out_count) {
  MPI_Status s;
  int status = MPI_Iprobe(source < 0 ? MPI_ANY_SOURCE : source, tag < 0 ? MPI_ANY_TAG : tag,
                          MPI_COMM_WORLD, flag, &s);
  if (status == MPI_SUCCESS && *flag) unpack(&s, out_source, out_tag, out_count);
  return status;
}

int ss_mpi_probe(int source, int tag, int *out_source, int *out_tag, int *out_count) {
  MPI_Status s;
  int status = MPI_Probe(source < 0 ? MPI_ANY_SOURCE : source, tag < 0 ? MPI_ANY_TAG : tag,
                         MPI_COMM_WORLD, &s);
  if (status == MPI_SUCCESS) unpack(&s, out_source, out_tag, out_count);
  return status;
}
