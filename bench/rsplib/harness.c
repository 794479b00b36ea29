/*
 * rserpool-ng: a timing harness for RSPLIB's handlespace library (a developer tool, see
 * README.md beside this file). It runs the workload of bench-reference.md ("Workload definition"
 * and "API calls that were timed") on RSPLIB's handlespace management, built by build.sh, and
 * prints one JSON line per measured cell, so that bench/handlespace_table.ts --rsplib can put
 * RSPLIB's figures next to ours from the same window.
 *
 *   harness --policy RoundRobin [--sizes 10,100,1000,10000,100000] [--ops selection,lifecycle,
 *           checksum,buffer,costs] [--samples 5] [--clock cpu|monotonic] [--calls 200000] [--warmup 20000]
 *           [--lifecycle-ops 200000] [--batch auto|B]
 *
 * Output, one line per cell (fields in this order, numbers in JSON):
 *   {"harness":"rsplib","kind":"meta","clock":"cpu","emptyBlockNs":1950,"build":"gcc 12.2.0 -O2 static"}
 *   {"harness":"rsplib","kind":"resolve","policy":"RoundRobin","n":10,"k":1,"unit":"Mops","samples":[...]}
 *   kinds "registration", "updateChanged", "updateIdentical", "deregistration" (unit "Mops"),
 *   "checksumUpdate" ("ns"), "checksumRecompute" ("us"), "checksumRead" ("ns"),
 *   "checksumBuffer" ("GBps", with "bytes" instead of "n").
 * A failed sanity check prints a message on stderr and exits with status 1; bad arguments exit 2.
 *
 * Copyright (C) 2026 the rserpool-ng authors. It calls RSPLIB's public functions (GPL-3) and is
 * meant to be compiled against RSPLIB's source by build.sh; it holds no RSPLIB code.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "poolhandlespacemanagement.h"
#include "randomizer.h"
#include "rserpool-policytypes.h"

#ifndef HARNESS_BUILD
#define HARNESS_BUILD "unknown"
#endif

typedef struct ST_CLASS(PoolHandlespaceManagement) Hsm;
typedef struct ST_CLASS(PoolElementNode) PeNode;

#define OWN_ID 0x10000001u
#define LIFE 30000u
#define TIME_STAMP 1000000ull
#define SOCKET_FD 10

static clockid_t clockId = CLOCK_PROCESS_CPUTIME_ID;

static double nowNs(void) {
  struct timespec ts;
  clock_gettime(clockId, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* What a timed block measures when it holds nothing: the part of a clock read that falls inside
   the interval. For the CPU clock a read is a system call (about 2 us of wall time in this VM, of
   which an empty block measures about 0.6 us, as long as 4 to 8 lifecycle operations of RSPLIB
   at N = 10), so each lifecycle block subtracts it; the monotonic clock (a vDSO read of about
   25 ns) is left uncorrected, as in the reference. The median of 1001 empty blocks. */
static double emptyBlockNs = 0;

static int compareDoubles(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static void calibrateEmptyBlock(void) {
  if (clockId != CLOCK_PROCESS_CPUTIME_ID) return;
  static double empty[1001];
  for (size_t i = 0; i < 1001; i++) {
    const double t0 = nowNs();
    empty[i] = nowNs() - t0;
  }
  qsort(empty, 1001, sizeof(double), compareDoubles);
  emptyBlockNs = empty[500];
}

static void fail(const char* what, const char* policy, size_t n) {
  fprintf(stderr, "rsplib harness: %s (policy %s, N = %zu)\n", what, policy, n);
  exit(1);
}

/* ---- workload (bench-reference.md "Workload definition") ---------------------------------- */

static uint32_t fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

struct PolicyName {
  const char* name;
  unsigned int type;
};

/* The nine policies bench-reference.md measured, by our names. */
static const struct PolicyName POLICIES[] = {
  {"RoundRobin", PPT_ROUNDROBIN},
  {"WeightedRoundRobin", PPT_WEIGHTED_ROUNDROBIN},
  {"Random", PPT_RANDOM},
  {"WeightedRandom", PPT_WEIGHTED_RANDOM},
  {"Priority", PPT_PRIORITY},
  {"LeastUsed", PPT_LEASTUSED},
  {"PriorityLeastUsed", PPT_PRIORITY_LEASTUSED},
  {"RandomizedLeastUsed", PPT_RANDOMIZED_LEASTUSED},
  {"LeastUsedDegradation", PPT_LEASTUSED_DEGRADATION},
};

/* Everything the calls of one pool size take, built once per (policy, N) outside the timers. */
struct Workload {
  size_t n;
  unsigned int policyType;
  struct PoolHandle handle;
  uint32_t* ids;
  struct PoolPolicySettings* initial; /* PE i as registered first */
  struct PoolPolicySettings* changed; /* load changed for the current cycle r */
  struct TransportAddressBlock** user;
  struct TransportAddressBlock** asap;
};

static struct PoolPolicySettings settingsOf(unsigned int type, uint32_t id, uint32_t load) {
  struct PoolPolicySettings s;
  poolPolicySettingsNew(&s);
  s.PolicyType = type;
  s.Weight = 1 + fmix32(id ^ 0xA5A5A5A5u) % 100;
  s.Load = load;
  s.LoadDegradation = fmix32(id ^ 0x5A5A5A5Au) >> 8;
  s.LoadDPF = 0;
  s.WeightDPF = 0;
  s.Distance = 0;
  return s;
}

static struct TransportAddressBlock* sctpBlock(size_t i, uint16_t port) {
  union sockaddr_union address;
  memset(&address, 0, sizeof(address));
  const uint32_t x = (uint32_t)(i + 1) & 0xffffffu;
  address.in.sin_family = AF_INET;
  address.in.sin_addr.s_addr = htonl((10u << 24) | x);
  struct TransportAddressBlock* b = malloc(transportAddressBlockGetSize(1));
  if (b == NULL) fail("out of memory", "-", i);
  transportAddressBlockNew(b, IPPROTO_SCTP, port, 0, &address, 1, 1);
  return b;
}

static void workloadNew(struct Workload* w, unsigned int type, size_t n) {
  w->n = n;
  w->policyType = type;
  poolHandleNew(&w->handle, (const unsigned char*)"EchoPool", 8);
  w->ids = malloc(n * sizeof(uint32_t));
  w->initial = malloc(n * sizeof(struct PoolPolicySettings));
  w->changed = malloc(n * sizeof(struct PoolPolicySettings));
  w->user = malloc(n * sizeof(void*));
  w->asap = malloc(n * sizeof(void*));
  if (!w->ids || !w->initial || !w->changed || !w->user || !w->asap) fail("out of memory", "-", n);
  for (size_t i = 0; i < n; i++) {
    const uint32_t id = fmix32((uint32_t)i + 1);
    w->ids[i] = id;
    w->initial[i] = settingsOf(type, id, fmix32(id ^ 0x3C3C3C3Cu));
    w->user[i] = sctpBlock(i, (uint16_t)(5000 + i % 50000));
    w->asap[i] = sctpBlock(i, (uint16_t)(40000 + i % 20000));
  }
}

/* Load changed, cycle r >= 1: Load = fmix32(id ^ 0x3C3C3C3C ^ (r * 0x9E3779B9)). */
static void workloadChange(struct Workload* w, uint32_t r) {
  for (size_t i = 0; i < w->n; i++) {
    const uint32_t id = w->ids[i];
    w->changed[i] = settingsOf(w->policyType, id, fmix32(id ^ 0x3C3C3C3Cu ^ (r * 0x9E3779B9u)));
  }
}

static void workloadDelete(struct Workload* w) {
  for (size_t i = 0; i < w->n; i++) {
    free(w->user[i]);
    free(w->asap[i]);
  }
  free(w->ids);
  free(w->initial);
  free(w->changed);
  free(w->user);
  free(w->asap);
}

static void registerAll(Hsm* hsm, const struct Workload* w, const struct PoolPolicySettings* pps,
                        const char* policy) {
  unsigned int errors = 0;
  for (size_t i = 0; i < w->n; i++) {
    PeNode* pe;
    errors |= ST_CLASS(poolHandlespaceManagementRegisterPoolElement)(
      hsm, &w->handle, OWN_ID, w->ids[i], LIFE, &pps[i], w->user[i], w->asap[i], SOCKET_FD,
      (sctp_assoc_t)(i + 1), TIME_STAMP, &pe);
  }
  if (errors != RSPERR_OKAY) fail("a registration was rejected", policy, w->n);
}

static void deregisterAll(Hsm* hsm, const struct Workload* w, const char* policy) {
  unsigned int errors = 0;
  for (size_t i = 0; i < w->n; i++) {
    errors |= ST_CLASS(poolHandlespaceManagementDeregisterPoolElement)(hsm, &w->handle, w->ids[i]);
  }
  if (errors != RSPERR_OKAY) fail("a deregistration was rejected", policy, w->n);
}

/* ---- untimed sanity checks ------------------------------------------------------------------ */

/* bench-reference.md's handlespace accumulator after registering PEs 0 ... N-1. */
static int expectedAccumulator(size_t n, uint32_t* value) {
  static const size_t sizes[] = {10, 100, 1000, 10000, 100000};
  static const uint32_t values[] = {0x0019f1c7u, 0x0109e46au, 0x0a7b70fbu, 0x690db8c8u,
                                    0x17b2fe92u};
  for (size_t j = 0; j < 5; j++) {
    if (sizes[j] == n) {
      *value = values[j];
      return 1;
    }
  }
  return 0;
}

/* PE counts; incrementally kept checksums equal to the recomputed ones. */
static void checkHandlespace(Hsm* hsm, const struct Workload* w, const char* policy) {
  if (ST_CLASS(poolHandlespaceManagementGetPoolElements)(hsm) != w->n ||
      ST_CLASS(poolHandlespaceManagementGetPoolElementsOfPool)(hsm, &w->handle) != w->n ||
      ST_CLASS(poolHandlespaceManagementGetOwnedPoolElements)(hsm) != w->n) {
    fail("PE count differs from N", policy, w->n);
  }
  const struct ST_CLASS(PoolHandlespaceNode)* hs = &hsm->Handlespace;
  if (hs->HandlespaceChecksum != ST_CLASS(poolHandlespaceNodeComputeHandlespaceChecksum)(hs)) {
    fail("incremental handlespace checksum differs from the recomputed one", policy, w->n);
  }
  if (hs->OwnershipChecksum != ST_CLASS(poolHandlespaceNodeComputeOwnershipChecksum)(hs, OWN_ID)) {
    fail("incremental ownership checksum differs from the recomputed one", policy, w->n);
  }
  uint32_t expected;
  if (expectedAccumulator(w->n, &expected) && hs->HandlespaceChecksum != expected) {
    fail("handlespace accumulator differs from bench-reference.md's", policy, w->n);
  }
}

static void checkEmpty(Hsm* hsm, const struct Workload* w, const char* policy) {
  if (ST_CLASS(poolHandlespaceManagementGetPoolElements)(hsm) != 0 ||
      ST_CLASS(poolHandlespaceManagementGetPools)(hsm) != 0) {
    fail("PEs or the pool left after deregistering every PE", policy, w->n);
  }
}

/* One handle resolution with its result checked: min(k, N) distinct PEs of the workload. */
static void checkedResolution(Hsm* hsm, const struct Workload* w, size_t k, const char* policy) {
  PeNode* result[8];
  size_t count = k;
  if (ST_CLASS(poolHandlespaceManagementHandleResolution)(hsm, &w->handle, result, &count, k, 0) !=
        RSPERR_OKAY ||
      count != (k < w->n ? k : w->n)) {
    fail("handle resolution returned too few PEs", policy, w->n);
  }
  for (size_t a = 0; a < count; a++) {
    for (size_t b = a + 1; b < count; b++) {
      if (result[a] == result[b] || result[a]->Identifier == result[b]->Identifier) {
        fail("duplicate PE in a handle resolution result", policy, w->n);
      }
    }
  }
}

/* ---- JSON output -------------------------------------------------------------------------- */

static void printSamples(const double* samples, size_t count) {
  printf("\"samples\":[");
  for (size_t s = 0; s < count; s++) printf("%s%.6g", s ? "," : "", samples[s]);
  printf("]}\n");
}

static void emit(const char* kind, const char* policy, size_t n, int k, const char* unit,
                 const double* samples, size_t count) {
  printf("{\"harness\":\"rsplib\",\"kind\":\"%s\",\"policy\":\"%s\",\"n\":%zu,", kind, policy, n);
  if (k > 0) printf("\"k\":%d,", k);
  printf("\"unit\":\"%s\",", unit);
  printSamples(samples, count);
  fflush(stdout);
}

/* ---- operation 5: handle resolution ----------------------------------------------------- */

static void measureSelection(const struct Workload* w, const char* policy, size_t samples,
                             size_t calls, size_t warmup) {
  Hsm hsm;
  ST_CLASS(poolHandlespaceManagementNew)(&hsm, OWN_ID, NULL, NULL, NULL);
  registerAll(&hsm, w, w->initial, policy);
  checkHandlespace(&hsm, w, policy);
  double* mops = calloc(samples, sizeof(double));
  static const size_t KS[] = {1, 3};
  for (size_t j = 0; j < 2; j++) {
    const size_t k = KS[j];
    for (size_t c = 0; c < warmup; c++) checkedResolution(&hsm, w, k, policy);
    for (size_t s = 0; s < samples; s++) {
      PeNode* result[8];
      size_t total = 0;
      unsigned int errors = 0;
      const double t0 = nowNs();
      for (size_t c = 0; c < calls; c++) {
        size_t count = k;
        errors |= ST_CLASS(poolHandlespaceManagementHandleResolution)(&hsm, &w->handle, result,
                                                                      &count, k, 0);
        total += count;
      }
      const double ns = nowNs() - t0;
      if (errors != RSPERR_OKAY || total != calls * (k < w->n ? k : w->n)) {
        fail("handle resolution returned too few PEs", policy, w->n);
      }
      mops[s] = (double)calls / ns * 1e3;
    }
    emit("resolve", policy, w->n, (int)k, "Mops", mops, samples);
  }
  free(mops);
  ST_CLASS(poolHandlespaceManagementDelete)(&hsm);
}

/* ---- operations 1-4: registration, re-registration (load changed, identical), deregistration */

static void measureLifecycle(struct Workload* w, const char* policy, size_t samples,
                             size_t lifecycleOps, size_t batch) {
  static const char* KINDS[] = {"registration", "updateChanged", "updateIdentical",
                                "deregistration"};
  const size_t n = w->n;
  const size_t cycles = (lifecycleOps + n - 1) / n;
  const size_t rounded = (cycles + batch / 2) / batch;
  const size_t blocks = rounded > 0 ? rounded : 1; /* as bench/_cases.ts: max(1, round(cycles / batch)) */
  Hsm* spaces = malloc(batch * sizeof(Hsm));
  double* mops[4];
  for (int ph = 0; ph < 4; ph++) mops[ph] = calloc(samples, sizeof(double));
  uint32_t r = 0;

  /* One untimed cycle with every check after every phase (also the warm-up). */
  {
    Hsm hsm;
    ST_CLASS(poolHandlespaceManagementNew)(&hsm, OWN_ID, NULL, NULL, NULL);
    registerAll(&hsm, w, w->initial, policy);
    checkHandlespace(&hsm, w, policy);
    workloadChange(w, ++r);
    registerAll(&hsm, w, w->changed, policy);
    checkHandlespace(&hsm, w, policy);
    registerAll(&hsm, w, w->changed, policy);
    checkHandlespace(&hsm, w, policy);
    deregisterAll(&hsm, w, policy);
    checkEmpty(&hsm, w, policy);
    ST_CLASS(poolHandlespaceManagementDelete)(&hsm);
  }

  for (size_t s = 0; s < samples; s++) {
    double ns[4] = {0, 0, 0, 0};
    double ops = 0;
    for (size_t b = 0; b < blocks; b++) {
      for (size_t h = 0; h < batch; h++) {
        ST_CLASS(poolHandlespaceManagementNew)(&spaces[h], OWN_ID, NULL, NULL, NULL);
      }
      workloadChange(w, ++r);
      double t0 = nowNs();
      for (size_t h = 0; h < batch; h++) registerAll(&spaces[h], w, w->initial, policy);
      double t1 = nowNs();
      ns[0] += t1 - t0 - emptyBlockNs;
      for (size_t h = 0; h < batch; h++) registerAll(&spaces[h], w, w->changed, policy);
      t0 = nowNs();
      ns[1] += t0 - t1 - emptyBlockNs;
      for (size_t h = 0; h < batch; h++) registerAll(&spaces[h], w, w->changed, policy);
      t1 = nowNs();
      ns[2] += t1 - t0 - emptyBlockNs;
      for (size_t h = 0; h < batch; h++) deregisterAll(&spaces[h], w, policy);
      t0 = nowNs();
      ns[3] += t0 - t1 - emptyBlockNs;
      for (size_t h = 0; h < batch; h++) {
        checkEmpty(&spaces[h], w, policy);
        ST_CLASS(poolHandlespaceManagementDelete)(&spaces[h]);
      }
      ops += (double)(n * batch);
    }
    for (int ph = 0; ph < 4; ph++) mops[ph][s] = ops / ns[ph] * 1e3;
  }
  for (int ph = 0; ph < 4; ph++) {
    emit(KINDS[ph], policy, n, 0, "Mops", mops[ph], samples);
    free(mops[ph]);
  }
  free(spaces);
}

/* ---- operation 6: checksum (RoundRobin pool of N PEs, whatever --policy says) ------------ */

static void measureChecksum(size_t n, size_t samples) {
  struct Workload w;
  workloadNew(&w, PPT_ROUNDROBIN, n);
  Hsm hsm;
  ST_CLASS(poolHandlespaceManagementNew)(&hsm, OWN_ID, NULL, NULL, NULL);
  registerAll(&hsm, &w, w.initial, "RoundRobin");
  checkHandlespace(&hsm, &w, "RoundRobin");
  PeNode** pes = malloc(n * sizeof(PeNode*));
  for (size_t i = 0; i < n; i++) {
    pes[i] = ST_CLASS(poolHandlespaceManagementFindPoolElement)(&hsm, &w.handle, w.ids[i]);
    if (pes[i] == NULL) fail("registered PE not found", "RoundRobin", n);
  }
  struct ST_CLASS(PoolHandlespaceNode)* hs = &hsm.Handlespace;
  const HandlespaceChecksumAccumulatorType before = hs->HandlespaceChecksum;
  double* v = calloc(samples, sizeof(double));

  /* (a) incremental update of one PE entry, as RSPLIB does on every re-registration. */
  const size_t repeat = (2000000 + n - 1) / n;
  for (size_t s = 0; s < samples; s++) {
    const double t0 = nowNs();
    for (size_t r = 0; r < repeat; r++) {
      for (size_t i = 0; i < n; i++) {
        PeNode* pe = pes[i];
        hs->HandlespaceChecksum = handlespaceChecksumSub(hs->HandlespaceChecksum, pe->Checksum);
        hs->OwnershipChecksum = handlespaceChecksumSub(hs->OwnershipChecksum, pe->Checksum);
        pe->Checksum = ST_CLASS(poolElementNodeComputeChecksum)(pe);
        hs->HandlespaceChecksum = handlespaceChecksumAdd(hs->HandlespaceChecksum, pe->Checksum);
        hs->OwnershipChecksum = handlespaceChecksumAdd(hs->OwnershipChecksum, pe->Checksum);
      }
    }
    v[s] = (nowNs() - t0) / (double)(repeat * n);
  }
  if (hs->HandlespaceChecksum != before || hs->OwnershipChecksum != before) {
    fail("checksum drifted in incremental updates", "RoundRobin", n);
  }
  emit("checksumUpdate", "RoundRobin", n, 0, "ns", v, samples);

  /* (b) full recomputation. */
  const size_t recompute = n >= 100000 ? 1 : (100000 + n - 1) / n;
  for (size_t s = 0; s < samples; s++) {
    unsigned int bad = 0;
    const double t0 = nowNs();
    for (size_t r = 0; r < recompute; r++) {
      bad |= ST_CLASS(poolHandlespaceNodeComputeHandlespaceChecksum)(hs) != before;
    }
    v[s] = (nowNs() - t0) / (double)recompute / 1e3;
    if (bad) fail("recomputed checksum differs", "RoundRobin", n);
  }
  emit("checksumRecompute", "RoundRobin", n, 0, "us", v, samples);

  /* (c) reading the finished value. */
  for (size_t s = 0; s < samples; s++) {
    unsigned int x = 0;
    const double t0 = nowNs();
    for (size_t c = 0; c < 1000000; c++) {
      x ^= ST_CLASS(poolHandlespaceManagementGetHandlespaceChecksum)(&hsm);
    }
    v[s] = (nowNs() - t0) / 1e6;
    if (x == 0xffffffffu) fail("unreachable", "RoundRobin", n);
  }
  emit("checksumRead", "RoundRobin", n, 0, "ns", v, samples);

  free(v);
  free(pes);
  deregisterAll(&hsm, &w, "RoundRobin");
  ST_CLASS(poolHandlespaceManagementDelete)(&hsm);
  workloadDelete(&w);
}

/* (d) the checksum routine over a plain byte buffer (64 KiB in cache, 16 MiB); --ops buffer. */
static void measureChecksumBuffer(size_t samples) {
  static const size_t SIZES[] = {65536, 16u << 20};
  static const size_t REPEATS[] = {2000, 8};
  for (size_t j = 0; j < 2; j++) {
    const size_t size = SIZES[j];
    char* buffer = malloc(size);
    if (buffer == NULL) fail("out of memory", "-", size);
    for (size_t i = 0; i < size; i++) buffer[i] = (char)(fmix32((uint32_t)i) & 0xff);
    double* v = calloc(samples, sizeof(double));
    for (size_t s = 0; s < samples; s++) {
      HandlespaceChecksumAccumulatorType x = 0;
      const double t0 = nowNs();
      for (size_t r = 0; r < REPEATS[j]; r++) x ^= handlespaceChecksumCompute(0, buffer, size);
      v[s] = (double)(size * REPEATS[j]) / (nowNs() - t0);
      if (x == 0xffffffffu) fail("unreachable", "-", size);
    }
    printf("{\"harness\":\"rsplib\",\"kind\":\"checksumBuffer\",\"bytes\":%zu,\"unit\":\"GBps\",",
           size);
    printSamples(v, samples);
    free(v);
    free(buffer);
  }
}

/* bench-reference.md's "other measured costs", a gauge of the host's speed in this window next
   to the reference's figures (random64() 43 ns, clock_gettime 21 ns): one random64() call of
   RSPLIB's randomizer (two 32-bit reads from /dev/urandom through stdio) and one
   clock_gettime(CLOCK_MONOTONIC) read (vDSO), each in ns; --ops costs. */
static void measureCosts(size_t samples) {
  double* v = calloc(samples, sizeof(double));
  uint64_t x = 0;
  for (size_t s = 0; s < samples; s++) {
    const double t0 = nowNs();
    for (size_t c = 0; c < 1000000; c++) x ^= random64();
    v[s] = (nowNs() - t0) / 1e6;
  }
  printf("{\"harness\":\"rsplib\",\"kind\":\"random64\",\"unit\":\"ns\",");
  printSamples(v, samples);
  for (size_t s = 0; s < samples; s++) {
    struct timespec ts;
    const double t0 = nowNs();
    for (size_t c = 0; c < 1000000; c++) {
      clock_gettime(CLOCK_MONOTONIC, &ts);
      x ^= (uint64_t)ts.tv_nsec;
    }
    v[s] = (nowNs() - t0) / 1e6;
  }
  printf("{\"harness\":\"rsplib\",\"kind\":\"clockRead\",\"unit\":\"ns\",");
  printSamples(v, samples);
  if (x == 1) fprintf(stderr, " ");
  free(v);
}

/* ---- command line ------------------------------------------------------------------------- */

static void usage(const char* message) {
  fprintf(stderr,
          "rsplib harness: %s\nusage: harness --policy NAME [--sizes 10,100,...] "
          "[--ops selection,lifecycle,checksum,buffer,costs] [--samples 5] [--clock cpu|monotonic] "
          "[--calls 200000] [--warmup 20000] [--lifecycle-ops 200000] [--batch auto|B]\n",
          message);
  exit(2);
}

static size_t positive(const char* name, const char* text) {
  char* end;
  errno = 0;
  const unsigned long long v = strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0' || v == 0 || text[0] == '-') {
    fprintf(stderr, "rsplib harness: --%s %s: expected a positive integer\n", name, text);
    exit(2);
  }
  return (size_t)v;
}

int main(int argc, char** argv) {
  const char* policy = NULL;
  char sizesText[256] = "10,100,1000,10000,100000";
  const char* ops = "selection,lifecycle";
  size_t samples = 5, calls = 200000, warmup = 20000, lifecycleOps = 200000, batchOption = 0;
  const char* clockName = "cpu";
  for (int a = 1; a < argc; a++) {
    const char* name = argv[a];
    if (a + 1 >= argc) usage("every option takes a value");
    const char* value = argv[++a];
    if (strcmp(name, "--policy") == 0) policy = value;
    else if (strcmp(name, "--sizes") == 0) snprintf(sizesText, sizeof(sizesText), "%s", value);
    else if (strcmp(name, "--ops") == 0) ops = value;
    else if (strcmp(name, "--samples") == 0) samples = positive("samples", value);
    else if (strcmp(name, "--calls") == 0) calls = positive("calls", value);
    else if (strcmp(name, "--warmup") == 0) warmup = positive("warmup", value);
    else if (strcmp(name, "--lifecycle-ops") == 0) lifecycleOps = positive("lifecycle-ops", value);
    else if (strcmp(name, "--batch") == 0) {
      batchOption = strcmp(value, "auto") == 0 ? 0 : positive("batch", value);
    } else if (strcmp(name, "--clock") == 0) {
      clockName = value;
      if (strcmp(value, "cpu") == 0) clockId = CLOCK_PROCESS_CPUTIME_ID;
      else if (strcmp(value, "monotonic") == 0) clockId = CLOCK_MONOTONIC;
      else usage("--clock takes cpu or monotonic");
    } else {
      usage("unknown option");
    }
  }
  int withSelection = 0, withLifecycle = 0, withChecksum = 0, withBuffer = 0, withCosts = 0;
  char opsText[256];
  snprintf(opsText, sizeof(opsText), "%s", ops);
  for (char* save = NULL, *item = strtok_r(opsText, ",", &save); item != NULL;
       item = strtok_r(NULL, ",", &save)) {
    if (strcmp(item, "selection") == 0) withSelection = 1;
    else if (strcmp(item, "lifecycle") == 0) withLifecycle = 1;
    else if (strcmp(item, "checksum") == 0) withChecksum = 1;
    else if (strcmp(item, "buffer") == 0) withBuffer = 1;
    else if (strcmp(item, "costs") == 0) withCosts = 1;
    else usage("--ops takes selection, lifecycle, checksum, buffer and costs, separated by commas");
  }
  unsigned int type = 0;
  for (size_t p = 0; policy != NULL && p < sizeof(POLICIES) / sizeof(POLICIES[0]); p++) {
    if (strcmp(POLICIES[p].name, policy) == 0) type = POLICIES[p].type;
  }
  if ((withSelection || withLifecycle) && type == 0) {
    fprintf(stderr, "rsplib harness: --policy %s: not one of the nine reference policies\n",
            policy ? policy : "(missing)");
    return 2;
  }

  calibrateEmptyBlock();
  printf("{\"harness\":\"rsplib\",\"kind\":\"meta\",\"clock\":\"%s\",\"emptyBlockNs\":%.0f,"
         "\"build\":\"%s\"}\n",
         clockName, emptyBlockNs, HARNESS_BUILD);
  fflush(stdout);
  for (char* save = NULL, *item = strtok_r(sizesText, ",", &save); item != NULL;
       item = strtok_r(NULL, ",", &save)) {
    const size_t n = positive("sizes", item);
    if (withSelection || withLifecycle) {
      struct Workload w;
      workloadNew(&w, type, n);
      if (withSelection) measureSelection(&w, policy, samples, calls, warmup);
      if (withLifecycle) {
        /* Blocks of about 100 operations by default, as bench/_cases.ts lifecycleBatch. */
        const size_t batch = batchOption ? batchOption : (100 + n - 1) / n;
        measureLifecycle(&w, policy, samples, lifecycleOps, batch);
      }
      workloadDelete(&w);
    }
    if (withChecksum) measureChecksum(n, samples);
  }
  if (withBuffer) measureChecksumBuffer(samples);
  if (withCosts) measureCosts(samples);
  return 0;
}
