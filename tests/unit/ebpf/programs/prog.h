/* Shared prelude of the C test programs. Each file is compiled twice: for BPF
 * (clang -O2 -target bpf -mcpu=v3 -c, entry points in named sections) and natively into the
 * test binary (entry points renamed PROG_NAME_<fn>), so the two results can be compared.
 * Helpers are extern functions: bound by name by the loader, linked normally natively. */
#ifndef ZS_TEST_PROG_H
#define ZS_TEST_PROG_H

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef long long s64;

#define PROG_CAT2(a, b) a##_##b
#define PROG_CAT(a, b) PROG_CAT2(a, b)
#ifdef __bpf__
#define ENTRY(sec, fn) __attribute__((section(sec), used)) u64 fn
#else
#define ENTRY(sec, fn) u64 PROG_CAT(PROG_NAME, fn)
#endif
#define NOINLINE __attribute__((noinline))

/* Host helpers (tests/unit/ebpf/c_programs_test.cc defines them for both builds). */
extern u64 host_add(u64 a, u64 b);
extern u64 host_mix(u64 a, u64 b, u64 c, u64 d, u64 e);
extern u64 host_sum_bytes(u64 ptr, u64 len);

#endif
