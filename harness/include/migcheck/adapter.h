/*
 * migcheck adapter ABI: a virtio migration loader under test, as a shared
 * library that migcheck loads with dlopen (spec "lib:PATH" or "lib:PATH,fork").
 *
 * Plain C, no C++ types cross the boundary. The library exports one function,
 *
 *   MIGCHECK_ADAPTER_EXPORT const struct migcheck_adapter* migcheck_adapter_v1(void);
 *
 * returning a descriptor that lives as long as the library: who it is, what it
 * can load (capabilities), and `load`. migcheck loads the same bytes into the
 * same destination with its reference (QEMU 7.2.22 semantics) and compares:
 *
 *   accepted   + state: the loaded devices, as JSON in the shape of
 *                `migcheck check --json` ({"devices": [...]}, QMP names);
 *   rejected   + reason (and, if the implementation has them, a rule id);
 *   unsupported: the input needs something outside the declared capabilities.
 *                Never counted as agreement or disagreement.
 *
 * Isolation: migcheck calls `load` from one thread at a time per instance.
 * A crash, hang or a leak inside `load` is survivable only with ",fork"
 * (each load in a forked worker with a timeout and memory limit); in-process
 * adapters are trusted.
 *
 * Versioning: a descriptor with another abi_version is refused. New members
 * are only ever appended; struct_size says how many the library knows.
 */
#ifndef MIGCHECK_ADAPTER_H
#define MIGCHECK_ADAPTER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MIGCHECK_ADAPTER_ABI_VERSION 1u
#define MIGCHECK_ADAPTER_ENTRY "migcheck_adapter_v1"

#if defined(__GNUC__) || defined(__clang__)
#define MIGCHECK_ADAPTER_EXPORT __attribute__((visibility("default")))
#else
#define MIGCHECK_ADAPTER_EXPORT
#endif

enum migcheck_outcome {
  MIGCHECK_ACCEPTED = 0,
  MIGCHECK_REJECTED = 1,
  MIGCHECK_UNSUPPORTED = 2
};

/* Capability flags (migcheck_adapter.flags). */
/* Loads a lone section record (0x04 ... footer), not only QEVM streams.
 * Without it migcheck wraps a record into a minimal stream for the
 * destination's machine (header, configuration, the record, EOF) and gives
 * the reference the same wrapped bytes. */
#define MIGCHECK_CAP_SECTION_RECORDS 0x1u
/* `save` is implemented. */
#define MIGCHECK_CAP_SAVE 0x2u

/* One virtio device of the destination (after realize and reset). */
struct migcheck_device {
  const char* driver;      /* -device driver: "virtio-net-pci" */
  const char* properties;  /* as given: "disable-legacy=on,mq=on" (may be "") */
  const char* name;        /* QMP name: "virtio-net", "virtio-blk", ... */
  const char* transport;   /* "pci", "mmio", "ccw" */
  const char* idstr;       /* section idstr: "0000:00:02.0/virtio-net" */
  uint32_t instance_id;
};

/* Where the stream is loaded: what `migcheck check --machine M --device D...`
 * describes. Strings are valid for the duration of the call. */
struct migcheck_destination {
  uint32_t abi_version;      /* MIGCHECK_ADAPTER_ABI_VERSION */
  const char* profile;       /* reader semantics: "qemu-7.2" */
  const char* machine;       /* canonical machine type: "pc-i440fx-7.2" */
  const char* command_line;  /* "--machine pc-i440fx-7.2 --device virtio-net-pci,..." */
  size_t num_args;           /* every -device argument, virtio or not, in order */
  const char* const* args;
  size_t num_devices;        /* the virtio devices, in order */
  const struct migcheck_device* devices;
};

/* What `load` reports. The strings must stay valid until `release` is called
 * for this result (or, without `release`, until the next call into the
 * adapter); migcheck copies them at once. */
struct migcheck_result {
  int outcome;             /* enum migcheck_outcome */
  const char* rule;        /* optional: the implementation's own reason id */
  const char* reason;      /* optional: message, or why unsupported */
  /* Accepted: a JSON object {"devices": [...]}, each device as
   * `migcheck check --json` prints it (idstr, num-vqs, device-endian,
   * broken, status, guest-features, ..., queues: [{vring-num, ...}]).
   * Fields an implementation does not know may be left out: only the
   * fields present are compared. NULL or "" means {"devices": []}. */
  const char* state_json;
};

struct migcheck_adapter {
  uint32_t abi_version;  /* MIGCHECK_ADAPTER_ABI_VERSION */
  uint32_t struct_size;  /* sizeof(struct migcheck_adapter) */
  const char* name;      /* short, stable: used in finding titles */
  const char* version;
  /* Capabilities: NULL-terminated lists, or NULL for "all". Devices are QMP
   * names ("virtio-net"), transports "pci" / "mmio" / "ccw", profiles
   * migcheck profile names (NULL means "qemu-7.2"). A destination outside
   * them is not loaded at all: the result is "unsupported". */
  const char* const* devices;
  const char* const* transports;
  const char* const* profiles;
  uint32_t flags;  /* MIGCHECK_CAP_* */

  /* Optional per-instance state: `open` is called once after dlopen, its
   * result passed to every other call, `close` before dlclose. */
  void* (*open)(void);
  void (*close)(void* ctx);

  /* Loads `len` bytes (a QEVM stream; a section record only with
   * MIGCHECK_CAP_SECTION_RECORDS) into `dest`. Returns 0 with *out filled;
   * non-zero means the adapter itself failed (classified "malformed"). */
  int (*load)(void* ctx, const uint8_t* bytes, size_t len, const struct migcheck_destination* dest,
              struct migcheck_result* out);
  /* Optional: frees what `load` put into *out. */
  void (*release)(void* ctx, struct migcheck_result* result);

  /* Optional (MIGCHECK_CAP_SAVE): load `bytes`, then write the stream this
   * implementation would send as a migration source for the loaded state
   * into *out (allocated by the adapter, freed with `free_buffer`).
   * Returns 0 on success. migcheck checks the reference accepts it and
   * loads the same state. */
  int (*save)(void* ctx, const uint8_t* bytes, size_t len, const struct migcheck_destination* dest,
              uint8_t** out, size_t* out_len);
  void (*free_buffer)(void* ctx, uint8_t* buffer);
};

typedef const struct migcheck_adapter* (*migcheck_adapter_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* MIGCHECK_ADAPTER_H */
