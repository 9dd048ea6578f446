// The tests' view of QMP names: the real-QEMU adapter's decoder (one table
// of QEMU 7.2's names), with unknown names as exceptions.
#include "qmp_names.h"

#include <stdexcept>
#include <string>

#include "../../harness/src/qemu/qmp_decode.h"

namespace migcheck::test {

namespace qemu = migcheck::harness::qemu;

std::optional<unsigned> feature_bit(std::string_view qmp_name) { return qemu::feature_bit(qmp_name); }

std::uint64_t feature_word(const nlohmann::json& decoded) {
  std::string error;
  const auto word = qemu::feature_word(decoded, &error);
  if (!word) throw std::runtime_error(error);
  return *word;
}

std::uint8_t status_byte(const nlohmann::json& decoded) {
  std::string error;
  const auto status = qemu::status_byte(decoded, &error);
  if (!status) throw std::runtime_error(error);
  return *status;
}

}  // namespace migcheck::test
