#include "CCPUShim.h"

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void) {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

void ss_cpu_detect(ss_cpu_features *out) {
  unsigned int a, b, c, d;
  memset(out, 0, sizeof *out);
  if (!__get_cpuid(0, &a, &b, &c, &d)) return;
  unsigned int max_leaf = a;
  char vendor[13];
  memcpy(vendor, &b, 4);
  memcpy(vendor + 4, &d, 4);
  memcpy(vendor + 8, &c, 4);
  vendor[12] = 0;
  out->is_intel = strcmp(vendor, "GenuineIntel") == 0;
  out->is_amd = strcmp(vendor, "AuthenticAMD") == 0;

  __get_cpuid(1, &a, &b, &c, &d);
  unsigned int base_family = (a >> 8) & 0xf, base_model = (a >> 4) & 0xf;
  out->family = (int)(base_family == 0xf ? base_family + ((a >> 20) & 0xff) : base_family);
  out->model = (int)((base_family == 0x6 || base_family == 0xf) ? base_model + (((a >> 16) & 0xf) << 4)
                                                                : base_model);
  out->sse3 = (c >> 0) & 1;
  out->fma = (c >> 12) & 1;
  int osxsave = (c >> 27) & 1;
  out->avx = (c >> 28) & 1;
  if (osxsave) {
    unsigned long long xcr0 = xgetbv0();
    out->os_ymm = (xcr0 & 0x6) == 0x6;
    out->os_zmm = (xcr0 & 0xe6) == 0xe6;
  }
  if (max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    unsigned int max_sub = a;
    out->avx2 = (b >> 5) & 1;
    out->avx512f = (b >> 16) & 1;
    out->avx512dq = (b >> 17) & 1;
    out->avx512cd = (b >> 28) & 1;
    out->avx512bw = (b >> 30) & 1;
    out->avx512vl = (b >> 31) & 1;
    if (max_sub >= 1) {
      __cpuid_count(7, 1, a, b, c, d);
      out->avx512bf16 = (a >> 5) & 1;
    }
  }
}

int ss_cpu_brand(char *buffer, int capacity) {
  unsigned int regs[12], max_ext, b, c, d;
  if (capacity <= 0) return 0;
  buffer[0] = 0;
  __get_cpuid(0x80000000, &max_ext, &b, &c, &d);
  if (max_ext < 0x80000004) return 0;
  for (unsigned int i = 0; i < 3; i++)
    __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
  char text[49];
  memcpy(text, regs, 48);
  text[48] = 0;
  const char *start = text;
  while (*start == ' ') start++;
  int length = (int)strlen(start);
  while (length > 0 && start[length - 1] == ' ') length--;
  if (length >= capacity) length = capacity - 1;
  memcpy(buffer, start, (size_t)length);
  buffer[length] = 0;
  return length;
}

#else
void ss_cpu_detect(ss_cpu_features *out) { memset(out, 0, sizeof *out); }
int ss_cpu_brand(char *buffer, int capacity) {
  if (capacity > 0) buffer[0] = 0;
  return 0;
}
#endif
