// A JSON Schema (2020-12) checker for the keywords conformance/schema uses,
// so CI validates every vector file against the checked-in schema itself
// without a schema library (none is among the project's dependencies).
// A keyword it does not know is reported as an error, never ignored.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace migcheck::conformance {

// Each violation of `schema` by `doc` as "/json/pointer: what"; empty if valid.
// Local "$ref": "#/$defs/..." references resolve against `schema`.
std::vector<std::string> schema_errors(const nlohmann::json& schema, const nlohmann::json& doc);

}  // namespace migcheck::conformance
