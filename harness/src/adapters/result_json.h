// The one result shape every adapter answers in (subprocess stdout, the C
// ABI's state_json, forked workers' pipe): `migcheck check --json`'s
// outcome / rule / messages / devices. Parsing is strict: anything that is
// not that shape becomes AdapterOutcome::Malformed with the reason.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "migcheck/harness/adapters.h"

namespace migcheck::harness {

// A whole result object: {"outcome": "accepted"|"rejected"|"unsupported",
// "rule"?, "messages"?, "reason"?/"unsupported"?, "devices": [...]}.
// `any_outcome` also admits crash/timeout/malformed (forked workers).
AdapterResult parse_result(std::string_view text, bool any_outcome = false);

// {"devices": [...]} or a bare array, as the C ABI's state_json. Returns ""
// and fills `devices`, or says what is wrong.
std::string parse_state(std::string_view text, nlohmann::json& devices);

// Every device entry well-typed (known keys with the right JSON types,
// queues an array of objects); "" or the JSON path and what is wrong.
std::string validate_devices(const nlohmann::json& devices);

// AdapterResult -> the same shape (round-trips through parse_result).
nlohmann::json to_json(const AdapterResult& r);

// At most `max` bytes of `text`, for reasons quoting what an adapter printed.
std::string excerpt(std::string_view text, std::size_t max = 200);

}  // namespace migcheck::harness
