#ifndef CMPISHIM_H
#define CMPISHIM_H
/* Thin, logic-free wrappers over MPI for Swift: MPI_COMM_WORLD, MPI_DOUBLE and
 * MPI_ANY_* are macros Swift cannot import. All traffic is arrays of doubles on
 * MPI_COMM_WORLD. Functions return MPI error codes (0 = MPI_SUCCESS). */

/* Initialises MPI (singleton when not under mpirun); errors return, not abort. */
int ss_mpi_init(void);
int ss_mpi_is_initialized(void);
int ss_mpi_finalize(void);
int ss_mpi_rank(void);
int ss_mpi_size(void);
double ss_mpi_wtime(void);
int ss_mpi_abort(int code);
int ss_mpi_barrier(void);
/* Name of this rank's host into buffer (NUL-terminated). */
int ss_mpi_processor_name(char *buffer, int capacity);

/* source or tag < 0 means any. */
int ss_mpi_send_doubles(const double *data, int count, int destination, int tag);
int ss_mpi_recv_doubles(double *data, int capacity, int source, int tag, int *out_source,
                        int *out_tag, int *out_count);
int ss_mpi_iprobe(int source, int tag, int *flag, int *out_source, int *out_tag, int *out_count);
int ss_mpi_probe(int source, int tag, int *out_source, int *out_tag, int *out_count);

#endif
