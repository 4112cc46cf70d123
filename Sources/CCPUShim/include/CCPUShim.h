#ifndef CCPUSHIM_H
#define CCPUSHIM_H
/* Thin, logic-free CPUID access for Swift: which vector instructions the CPU
 * has and the operating system has enabled (XGETBV), its vendor and its brand
 * string. The kernel decision lives in Swift (Training/BLASKernel.swift). */

typedef struct {
  int is_intel, is_amd;
  int family, model;
  int sse3, avx, avx2, fma;
  int avx512f, avx512bw, avx512dq, avx512vl, avx512cd, avx512bf16;
  /* The OS saves the YMM (AVX) and ZMM/opmask (AVX-512) registers (XCR0). */
  int os_ymm, os_zmm;
} ss_cpu_features;

/* Fills *out from CPUID and XGETBV; every field 0 on a non-x86 machine. */
void ss_cpu_detect(ss_cpu_features *out);

/* The CPU's brand string (CPUID 0x80000002-4) into buffer, NUL-terminated
 * and trimmed; returns its length, 0 if unknown. */
int ss_cpu_brand(char *buffer, int capacity);

#endif
