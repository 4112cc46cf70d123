#include "CHDF5Shim.h"
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdlib.h>
#include <string.h>

static hid_t native(ss_h5_type type) {
  switch (type) {
  case SS_H5_DOUBLE: return H5T_NATIVE_DOUBLE;
  case SS_H5_INT64: return H5T_NATIVE_INT64;
  case SS_H5_INT32: return H5T_NATIVE_INT32;
  case SS_H5_UINT8: return H5T_NATIVE_UINT8;
  }
  return -1;
}

void ss_h5_setup(void) {
  /* HDF5 1.10 leaves a file whose close failed (disk full) half-closed, and its
   * at-exit cleanup then dereferences it: every file is flushed and closed
   * explicitly instead. Errors are not printed; callers read the stack. */
  H5dont_atexit();
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/* A growing string for the error walk (no fixed-size buffer). */
typedef struct {
  char *text;
  size_t length;
} error_text;

static void append(error_text *out, const char *piece) {
  if (piece == NULL || out->text == NULL) return;
  size_t n = strlen(piece);
  char *grown = realloc(out->text, out->length + n + 1);
  if (grown == NULL) return;
  memcpy(grown + out->length, piece, n + 1);
  out->text = grown;
  out->length += n;
}

static herr_t walk_entry(unsigned n, const H5E_error2_t *entry, void *data) {
  error_text *out = data;
  if (n > 0) append(out, "; ");
  append(out, entry->desc);
  ssize_t size = H5Eget_msg(entry->min_num, NULL, NULL, 0);
  if (size > 0) {
    char *minor = malloc((size_t)size + 1);
    if (minor != NULL && H5Eget_msg(entry->min_num, NULL, minor, (size_t)size + 1) > 0) {
      append(out, " (");
      append(out, minor);
      append(out, ")");
    }
    free(minor);
  }
  return 0;
}

char *ss_h5_error_stack(void) {
  error_text out = {malloc(1), 0};
  if (out.text == NULL) return NULL;
  out.text[0] = '\0';
  hid_t stack = H5Eget_current_stack();
  if (stack < 0) return out.text;
  H5Ewalk2(stack, H5E_WALK_UPWARD, walk_entry, &out);
  H5Eclose_stack(stack);
  return out.text;
}

void ss_h5_free(void *pointer) { free(pointer); }

/* Cleanup calls after a failed call clear the error stack: keep it across them. */
static hid_t keep_errors(void) { return H5Eget_current_stack(); }
static void restore_errors(hid_t stack) {
  if (stack >= 0) H5Eset_current_stack(stack);
}

int64_t ss_h5_file_create(const char *path) {
  return H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
}

int64_t ss_h5_file_open(const char *path, int read_write) {
  if (read_write) return H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  /* Readers skip HDF5's file lock so that a file can be inspected while a
   * run writes it (writers still take the lock, so two never write at once). */
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  H5Pset_file_locking(fapl, 0, 1);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, fapl);
  hid_t errors = file < 0 ? keep_errors() : -1;
  H5Pclose(fapl);
  restore_errors(errors);
  return file;
}

int ss_h5_file_close(int64_t file) { return H5Fclose(file); }
int ss_h5_file_flush(int64_t file) { return H5Fflush(file, H5F_SCOPE_GLOBAL); }
int ss_h5_is_hdf5(const char *path) { return H5Fis_hdf5(path); }

int64_t ss_h5_group_create(int64_t loc, const char *name) {
  return H5Gcreate2(loc, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
}
int64_t ss_h5_group_open(int64_t loc, const char *name) { return H5Gopen2(loc, name, H5P_DEFAULT); }
int ss_h5_group_close(int64_t group) { return H5Gclose(group); }
int ss_h5_link_exists(int64_t loc, const char *name) { return H5Lexists(loc, name, H5P_DEFAULT); }
int ss_h5_link_delete(int64_t loc, const char *name) { return H5Ldelete(loc, name, H5P_DEFAULT); }

int64_t ss_h5_dataset_create(int64_t loc, const char *name, ss_h5_type type, int rank,
                             const int64_t *dims, const void *fill) {
  hsize_t d[2];
  if (rank < 1 || rank > 2) return -1;
  for (int i = 0; i < rank; i++) d[i] = (hsize_t)dims[i];
  hid_t space = H5Screate_simple(rank, d, NULL);
  if (space < 0) return -1;
  hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_layout(plist, H5D_CONTIGUOUS);
  H5Pset_alloc_time(plist, H5D_ALLOC_TIME_EARLY);
  H5Pset_fill_time(plist, H5D_FILL_TIME_ALLOC);
  if (fill) H5Pset_fill_value(plist, native(type), fill);
  hid_t ds = H5Dcreate2(loc, name, native(type), space, H5P_DEFAULT, plist, H5P_DEFAULT);
  hid_t errors = ds < 0 ? keep_errors() : -1;
  H5Pclose(plist);
  H5Sclose(space);
  restore_errors(errors);
  return ds;
}

int64_t ss_h5_dataset_open(int64_t loc, const char *name) { return H5Dopen2(loc, name, H5P_DEFAULT); }
int ss_h5_dataset_close(int64_t dataset) { return H5Dclose(dataset); }

int ss_h5_dataset_shape(int64_t dataset, int64_t *dims, int max_rank) {
  hid_t space = H5Dget_space(dataset);
  if (space < 0) return -1;
  int rank = H5Sget_simple_extent_ndims(space);
  if (rank > max_rank) {
    rank = -1;
  } else if (rank > 0) {
    hsize_t *d = malloc(sizeof(hsize_t) * (size_t)rank);
    if (d == NULL || H5Sget_simple_extent_dims(space, d, NULL) < 0) rank = -1;
    for (int i = 0; i < rank; i++) dims[i] = (int64_t)d[i];
    free(d);
  }
  H5Sclose(space);
  return rank;
}

int ss_h5_dataset_type(int64_t dataset) {
  hid_t t = H5Dget_type(dataset);
  if (t < 0) return -1;
  int result = -1;
  H5T_class_t c = H5Tget_class(t);
  size_t size = H5Tget_size(t);
  if (c == H5T_FLOAT) result = SS_H5_DOUBLE;
  else if (c == H5T_INTEGER) result = size == 8 ? SS_H5_INT64 : size == 4 ? SS_H5_INT32 : SS_H5_UINT8;
  H5Tclose(t);
  return result;
}

int ss_h5_dataset_write(int64_t dataset, ss_h5_type type, const void *data) {
  return H5Dwrite(dataset, native(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
}

int ss_h5_dataset_read(int64_t dataset, ss_h5_type type, void *data) {
  return H5Dread(dataset, native(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
}

int ss_h5_dataset_write_block(int64_t dataset, ss_h5_type type, int rank, const int64_t *start,
                              const int64_t *count, const void *data) {
  hsize_t s[2], c[2];
  if (rank < 1 || rank > 2) return -1;
  for (int i = 0; i < rank; i++) { s[i] = (hsize_t)start[i]; c[i] = (hsize_t)count[i]; }
  hid_t file_space = H5Dget_space(dataset);
  if (file_space < 0) return -1;
  if (H5Sselect_hyperslab(file_space, H5S_SELECT_SET, s, NULL, c, NULL) < 0) {
    H5Sclose(file_space);
    return -1;
  }
  hid_t memory_space = H5Screate_simple(rank, c, NULL);
  herr_t status = H5Dwrite(dataset, native(type), memory_space, file_space, H5P_DEFAULT, data);
  hid_t errors = status < 0 ? keep_errors() : -1;
  H5Sclose(memory_space);
  H5Sclose(file_space);
  restore_errors(errors);
  return status;
}

static hid_t fixed_string_type(int64_t length) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, (size_t)length);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  H5Tset_cset(type, H5T_CSET_UTF8);
  return type;
}

int64_t ss_h5_string_dataset_create(int64_t loc, const char *name, int64_t count, int64_t length) {
  hsize_t d[1] = {(hsize_t)count};
  hid_t space = H5Screate_simple(1, d, NULL);
  hid_t type = fixed_string_type(length);
  hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_layout(plist, H5D_CONTIGUOUS);
  H5Pset_alloc_time(plist, H5D_ALLOC_TIME_EARLY);
  H5Pset_fill_time(plist, H5D_FILL_TIME_ALLOC);
  hid_t ds = H5Dcreate2(loc, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
  hid_t errors = ds < 0 ? keep_errors() : -1;
  H5Pclose(plist);
  H5Tclose(type);
  H5Sclose(space);
  restore_errors(errors);
  return ds;
}

int ss_h5_string_dataset_write(int64_t dataset, int64_t index, const char *value) {
  hid_t type = H5Dget_type(dataset);
  if (type < 0) return -1;
  /* One element of exactly the dataset's size: value truncated, NUL padded. */
  size_t length = H5Tget_size(type);
  char *buffer = length > 0 ? calloc(length, 1) : NULL;
  if (buffer == NULL) {
    H5Tclose(type);
    return -1;
  }
  size_t n = strlen(value);
  memcpy(buffer, value, n < length ? n : length);
  hsize_t start[1] = {(hsize_t)index}, count[1] = {1};
  hid_t file_space = H5Dget_space(dataset);
  herr_t status = -1;
  if (file_space >= 0 &&
      H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start, NULL, count, NULL) >= 0) {
    hid_t memory_space = H5Screate_simple(1, count, NULL);
    status = H5Dwrite(dataset, type, memory_space, file_space, H5P_DEFAULT, buffer);
    hid_t errors = status < 0 ? keep_errors() : -1;
    H5Sclose(memory_space);
    restore_errors(errors);
  }
  hid_t errors = status < 0 ? keep_errors() : -1;
  if (file_space >= 0) H5Sclose(file_space);
  H5Tclose(type);
  free(buffer);
  restore_errors(errors);
  return status;
}

int64_t ss_h5_string_dataset_read(int64_t dataset, char *buffer, int64_t capacity) {
  hid_t type = H5Dget_type(dataset);
  if (type < 0) return -1;
  int64_t length = (int64_t)H5Tget_size(type);
  hid_t space = H5Dget_space(dataset);
  int64_t count = H5Sget_simple_extent_npoints(space);
  H5Sclose(space);
  herr_t status = -1;
  if (H5Tget_class(type) == H5T_STRING && !H5Tis_variable_str(type) && count * length <= capacity)
    status = H5Dread(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
  H5Tclose(type);
  return status < 0 ? -1 : length;
}

int ss_h5_attr_write_string(int64_t loc, const char *name, const char *value) {
  hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, H5T_VARIABLE);
  H5Tset_cset(type, H5T_CSET_UTF8);
  hid_t space = H5Screate(H5S_SCALAR);
  if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
  hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t status = attr < 0 ? -1 : H5Awrite(attr, type, &value);
  hid_t errors = status < 0 ? keep_errors() : -1;
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  H5Tclose(type);
  restore_errors(errors);
  return status;
}

/* Reads a variable-length string attribute into HDF5-allocated memory. */
static int read_vlen_string(int64_t loc, const char *name, char **out) {
  hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
  if (attr < 0) return -1;
  hid_t stored = H5Aget_type(attr);
  int status = -1;
  if (H5Tget_class(stored) == H5T_STRING && H5Tis_variable_str(stored) > 0) {
    hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5Tget_cset(stored));
    status = H5Aread(attr, type, out);
    H5Tclose(type);
  }
  H5Tclose(stored);
  H5Aclose(attr);
  return status;
}

int64_t ss_h5_attr_string_length(int64_t loc, const char *name) {
  char *value = NULL;
  if (read_vlen_string(loc, name, &value) < 0 || value == NULL) return -1;
  int64_t length = (int64_t)strlen(value);
  H5free_memory(value);
  return length;
}

int ss_h5_attr_read_string(int64_t loc, const char *name, char *buffer, int64_t size) {
  char *value = NULL;
  if (read_vlen_string(loc, name, &value) < 0 || value == NULL || size < 1) return -1;
  strncpy(buffer, value, (size_t)size - 1);
  buffer[size - 1] = '\0';
  H5free_memory(value);
  return 0;
}

static int write_scalar(int64_t loc, const char *name, hid_t type, const void *value) {
  hid_t space = H5Screate(H5S_SCALAR);
  if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
  hid_t attr = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
  herr_t status = attr < 0 ? -1 : H5Awrite(attr, type, value);
  hid_t errors = status < 0 ? keep_errors() : -1;
  if (attr >= 0) H5Aclose(attr);
  H5Sclose(space);
  restore_errors(errors);
  return status;
}

int ss_h5_attr_write_int64(int64_t loc, const char *name, int64_t value) {
  return write_scalar(loc, name, H5T_NATIVE_INT64, &value);
}

int ss_h5_attr_write_double(int64_t loc, const char *name, double value) {
  return write_scalar(loc, name, H5T_NATIVE_DOUBLE, &value);
}

int ss_h5_attr_read_int64(int64_t loc, const char *name, int64_t *value) {
  hid_t attr = H5Aopen(loc, name, H5P_DEFAULT);
  if (attr < 0) return -1;
  herr_t status = H5Aread(attr, H5T_NATIVE_INT64, value);
  H5Aclose(attr);
  return status;
}

int ss_h5_attr_exists(int64_t loc, const char *name) { return H5Aexists(loc, name); }

int ss_h5_make_scale(int64_t dataset, const char *name) { return H5DSset_scale(dataset, name); }

int ss_h5_attach_scale(int64_t dataset, int64_t scale, unsigned int dimension) {
  return H5DSattach_scale(dataset, scale, dimension);
}

/* Link names of a group, in name order, as one malloc'd buffer of
 * NUL-terminated names followed by an empty name. */
static herr_t collect_name(hid_t group, const char *name, const H5L_info_t *info, void *data) {
  (void)group;
  (void)info;
  error_text *out = data;
  append(out, name);
  append(out, "\n");
  return 0;
}

char *ss_h5_link_names(int64_t loc) {
  error_text out = {malloc(1), 0};
  if (out.text == NULL) return NULL;
  out.text[0] = '\0';
  hsize_t index = 0;
  if (H5Literate(loc, H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &out) < 0) {
    free(out.text);
    return NULL;
  }
  return out.text;
}

int ss_h5_object_copy(int64_t source, const char *name, int64_t destination) {
  return H5Ocopy(source, name, destination, name, H5P_DEFAULT, H5P_DEFAULT);
}

/* Copies every attribute of `source` that `destination` lacks, whatever its
 * type, through a buffer of the attribute's own size. */
static herr_t copy_attribute(hid_t source, const char *name, const H5A_info_t *info, void *data) {
  (void)info;
  hid_t destination = *(hid_t *)data;
  if (H5Aexists(destination, name) != 0) return 0;
  hid_t attr = H5Aopen(source, name, H5P_DEFAULT);
  if (attr < 0) return -1;
  hid_t type = H5Aget_type(attr);
  hid_t space = H5Aget_space(attr);
  hssize_t points = H5Sget_simple_extent_npoints(space);
  size_t size = H5Tget_size(type);
  herr_t status = -1;
  void *buffer = points >= 0 ? calloc((size_t)points + 1, size) : NULL;
  if (buffer != NULL && H5Aread(attr, type, buffer) >= 0) {
    hid_t copy = H5Acreate2(destination, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (copy >= 0) {
      status = H5Awrite(copy, type, buffer);
      H5Aclose(copy);
    }
    if (H5Tdetect_class(type, H5T_VLEN) > 0 || H5Tis_variable_str(type) > 0)
      H5Dvlen_reclaim(type, space, H5P_DEFAULT, buffer);
  }
  free(buffer);
  H5Sclose(space);
  H5Tclose(type);
  H5Aclose(attr);
  return status;
}

int ss_h5_copy_missing_attributes(int64_t source, int64_t destination) {
  hsize_t index = 0;
  hid_t target = destination;
  return H5Aiterate2(source, H5_INDEX_NAME, H5_ITER_INC, &index, copy_attribute, &target);
}
