// The one way the harness writes a file a user keeps (reports, reproducers,
// corpus entries, property regression cases, adapter inputs): in the
// harness core, below everything that writes, fuzz targets included.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "migcheck/harness/oracle.h"

namespace migcheck::harness {

bool write_atomic(const std::string& path, std::string_view bytes, std::string* error) {
  std::string tmp = path + ".tmp.XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    *error = "cannot create '" + tmp + "': " + std::strerror(errno);
    return false;
  }
  fchmod(fd, 0644);  // mkstemp's 0600 would make reports private to the writer
  bool ok = true;
  for (std::string_view rest = bytes; ok && !rest.empty();) {
    const ssize_t n = write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) rest.remove_prefix(static_cast<std::size_t>(n));
  }
  ok = ok && fsync(fd) == 0;
  const int write_errno = errno;
  close(fd);
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot write '" + path + "': " + std::strerror(ok ? errno : write_errno);
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool write_atomic(const std::string& path, std::span<const std::uint8_t> bytes, std::string* error) {
  return write_atomic(path, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), error);
}

}  // namespace migcheck::harness
