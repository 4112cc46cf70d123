#include <cblas.h>
/* LAPACK's Cholesky factorisation, exported by OpenBLAS (Fortran calling convention). */
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
