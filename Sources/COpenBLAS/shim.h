#include <cblas.h>
/* LAPACK's Cholesky factorisation, exported by OpenBLAS (Fortran calling convention). */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
/* LAPACK's symmetric eigensolver (divide and conquer), exported by OpenBLAS. */
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork, int *info);
