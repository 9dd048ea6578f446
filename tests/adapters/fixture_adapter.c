/* Misbehaving adapters for the isolation tests, in C (the ABI is C): one
 * source, one library per FIXTURE_* definition. Each declares itself
 * properly; its load() then does what the fixture is named for. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "migcheck/adapter.h"

#if defined(FIXTURE_CTOR_CRASH)
__attribute__((constructor)) static void crash_on_load(void) { raise(SIGSEGV); }
#endif

static volatile unsigned sink __attribute__((unused));
static char* volatile kept __attribute__((unused));

static int load(void* ctx, const uint8_t* bytes, size_t len, const struct migcheck_destination* dest,
                struct migcheck_result* out) {
  (void)ctx;
  (void)dest;
#if defined(FIXTURE_CRASH)
  (void)bytes, (void)len, (void)out;
  raise(SIGSEGV);
  return 0;
#elif defined(FIXTURE_ABORT)
  (void)bytes, (void)len, (void)out;
  abort();
#elif defined(FIXTURE_HANG)
  (void)bytes, (void)len, (void)out;
  for (;;) sink++;
#elif defined(FIXTURE_GARBAGE)
  /* Garbage on stdout and stderr, then a state that is not JSON. */
  (void)bytes, (void)len;
  printf("\x01\xff garbage {\"outcome\": \"accepted\"}\n");
  fflush(stdout);
  fprintf(stderr, "\xfe\xfd not utf-8\n");
  out->outcome = MIGCHECK_ACCEPTED;
  out->state_json = "{\"devices\": [ {\"num-vqs\": \"three\"} ]";
  return 0;
#elif defined(FIXTURE_BAD_OUTCOME)
  (void)bytes, (void)len;
  out->outcome = 7;
  return 0;
#elif defined(FIXTURE_LEAK)
  /* 32 MiB per load, never freed: only a forked worker keeps this bounded. */
  char* p = malloc(32u << 20);
  if (p) memset(p, 1, 32u << 20);
  sink = p ? p[len % (32u << 20)] : 0;
  (void)bytes;
  out->outcome = MIGCHECK_REJECTED;
  out->reason = "leaky";
  return 0;
#elif defined(FIXTURE_HOG)
  /* Allocates until the memory limit stops it. */
  for (size_t i = 0; i < 128; ++i) { /* 8 GiB at most, should the limit fail */
    char* p = malloc(64u << 20);
    if (!p) abort();
    kept = p; /* escapes, so the compiler cannot elide it; RLIMIT_AS counts untouched pages too */
  }
  (void)bytes, (void)len;
  out->outcome = MIGCHECK_REJECTED;
  return 0;
#else /* FIXTURE_REJECT_ALL and the others: a well-behaved, useless loader */
  (void)bytes, (void)len;
  out->outcome = MIGCHECK_REJECTED;
  out->rule = "fixture.reject_all";
  out->reason = "this loader rejects everything";
  return 0;
#endif
}

static const struct migcheck_adapter kAdapter = {
#if defined(FIXTURE_BAD_ABI)
    .abi_version = 99,
#else
    .abi_version = MIGCHECK_ADAPTER_ABI_VERSION,
#endif
    .struct_size = sizeof(struct migcheck_adapter),
    .name = FIXTURE_NAME,
    .version = "0",
    .flags = MIGCHECK_CAP_SECTION_RECORDS,
    .load = load,
};

MIGCHECK_ADAPTER_EXPORT const struct migcheck_adapter* migcheck_adapter_v1(void) { return &kAdapter; }
