#ifndef CHDF5SHIM_H
#define CHDF5SHIM_H
/* Thin, logic-free wrappers over HDF5 for Swift: the macros (H5T_NATIVE_*,
 * H5P_DEFAULT, H5F_ACC_*) become parameters or functions, handles are int64_t.
 * Every function returns a negative value on failure. */
#include <stdint.h>

/* Element types for datasets and attributes. */
typedef enum { SS_H5_DOUBLE = 0, SS_H5_INT64 = 1, SS_H5_INT32 = 2, SS_H5_UINT8 = 3 } ss_h5_type;

/* Once per process before other calls: no printed errors, no at-exit close. */
void ss_h5_setup(void);
/* The calling thread's current error stack as one line, innermost error
 * first (each entry's description and minor message, the errno text of a
 * failed system call included), then clears it. malloc'd: ss_h5_free it. */
char *ss_h5_error_stack(void);
void ss_h5_free(void *pointer);

/* Files: created with the earliest file-format bounds (crash-tolerant readers). */
int64_t ss_h5_file_create(const char *path);
/* Read-only opens do not take HDF5's file lock (a live run can be inspected). */
int64_t ss_h5_file_open(const char *path, int read_write);
int ss_h5_file_close(int64_t file);
int ss_h5_file_flush(int64_t file);
int ss_h5_is_hdf5(const char *path);

/* Groups and links. */
int64_t ss_h5_group_create(int64_t loc, const char *name);
int64_t ss_h5_group_open(int64_t loc, const char *name);
int ss_h5_group_close(int64_t group);
int ss_h5_link_exists(int64_t loc, const char *name);
int ss_h5_link_delete(int64_t loc, const char *name);

/* Datasets: contiguous, space allocated at creation and filled with `fill`
 * (a pointer to one element of `type`), so later writes never touch metadata. */
int64_t ss_h5_dataset_create(int64_t loc, const char *name, ss_h5_type type, int rank,
                             const int64_t *dims, const void *fill);
int64_t ss_h5_dataset_open(int64_t loc, const char *name);
int ss_h5_dataset_close(int64_t dataset);
/* Rank of the dataset, dimensions into dims (up to max_rank). */
int ss_h5_dataset_shape(int64_t dataset, int64_t *dims, int max_rank);
/* Element type class: the ss_h5_type the stored type reads best as, or -1. */
int ss_h5_dataset_type(int64_t dataset);
int ss_h5_dataset_write(int64_t dataset, ss_h5_type type, const void *data);
int ss_h5_dataset_read(int64_t dataset, ss_h5_type type, void *data);
/* Writes a block [start, start + count) along each dimension (rank <= 2). */
int ss_h5_dataset_write_block(int64_t dataset, ss_h5_type type, int rank, const int64_t *start,
                              const int64_t *count, const void *data);

/* Fixed-length UTF-8 string datasets (1-D, `length` bytes each, NUL padded),
 * contiguous and allocated at creation like the numeric ones. */
int64_t ss_h5_string_dataset_create(int64_t loc, const char *name, int64_t count, int64_t length);
/* Writes element `index` (value truncated to the dataset's length). */
int ss_h5_string_dataset_write(int64_t dataset, int64_t index, const char *value);
/* Reads all elements into buffer (count * length bytes); returns length or -1. */
int64_t ss_h5_string_dataset_read(int64_t dataset, char *buffer, int64_t capacity);

/* Attributes. Strings are variable-length UTF-8 (h5py reads them as str). */
int ss_h5_attr_write_string(int64_t loc, const char *name, const char *value);
/* Length in bytes of a string attribute (without NUL), or -1. */
int64_t ss_h5_attr_string_length(int64_t loc, const char *name);
int ss_h5_attr_read_string(int64_t loc, const char *name, char *buffer, int64_t size);
int ss_h5_attr_write_int64(int64_t loc, const char *name, int64_t value);
int ss_h5_attr_read_int64(int64_t loc, const char *name, int64_t *value);
int ss_h5_attr_write_double(int64_t loc, const char *name, double value);
int ss_h5_attr_exists(int64_t loc, const char *name);

/* Copying into a rewritten file: link names of a group (malloc'd, each name
 * followed by a newline; ss_h5_free it), one object with everything below it,
 * and every attribute the destination does not have yet. */
char *ss_h5_link_names(int64_t loc);
int ss_h5_object_copy(int64_t source, const char *name, int64_t destination);
int ss_h5_copy_missing_attributes(int64_t source, int64_t destination);

/* Dimension scales (HDF5 high-level library). */
int ss_h5_make_scale(int64_t dataset, const char *name);
int ss_h5_attach_scale(int64_t dataset, int64_t scale, unsigned int dimension);

#endif
