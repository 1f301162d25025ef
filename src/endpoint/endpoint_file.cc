#include "endpoint/endpoint_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace faaskeeper {

namespace {
std::string file_of(const std::string& dir) { return dir + "/" + kEndpointFileName; }
}  // namespace

Status write_endpoint_file(const std::string& dir, const wire::Address& address) {
  std::string path = file_of(dir), tmp = path + ".tmp";
  std::string text = address.to_string() + "\n";
  int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return Status(Error::SystemError, "cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    return Status(Error::SystemError, "cannot write " + path + ": " + std::strerror(ok ? errno : err));
  return Status::OK();
}

Result<wire::Address> read_endpoint_file(const std::string& dir) {
  std::ifstream in(file_of(dir));
  if (!in)
    return Status(Error::ConnectionLoss, "no deployment is serving " + dir + " (" + file_of(dir) +
                                             " is missing); start one with: faaskeeper local --data " + dir);
  std::string line;
  std::getline(in, line);
  auto address = wire::parse_address(line);
  if (!address.ok()) return Status(Error::BadArguments, file_of(dir) + ": " + address.status().message());
  return address;
}

void remove_endpoint_file(const std::string& dir, const wire::Address& address) {
  auto current = read_endpoint_file(dir);
  if (current.ok() && current->to_string() == address.to_string()) ::unlink(file_of(dir).c_str());
}

}  // namespace faaskeeper
