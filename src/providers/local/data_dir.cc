#include "providers/local/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace faaskeeper {

namespace fs = std::filesystem;

namespace {

const char kMagic[] = "faaskeeper-local-data";

std::string marker_text() {
  return std::string(kMagic) + "\nversion " + std::to_string(kLocalFormatVersion) + "\n";
}

Status fail(std::string msg) { return Status(Error::SystemError, std::move(msg)); }

}  // namespace

std::string errno_message(const std::string& what, int err) {
  std::string m = what + ": " + std::strerror(err);
  if (err == EACCES || err == EPERM || err == EROFS) m += " (the data directory must be writable)";
  if (err == ENOSPC || err == EDQUOT) m += " (disk full)";
  return m;
}

Status write_format_marker(const std::string& dir) {
  std::string tmp = dir + "/FORMAT.tmp";
  int fd = ::open(tmp.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return fail(errno_message("cannot initialise " + dir, errno));
  std::string text = marker_text();
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), (dir + "/FORMAT").c_str()) != 0)
    return fail(errno_message("cannot initialise " + dir, ok ? errno : err));
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::OK();
}

Status create_data_dir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (!ec) return Status::OK();
  bool perm = ec == std::errc::permission_denied || ec == std::errc::read_only_file_system ||
              ec == std::errc::operation_not_permitted;
  return fail("cannot create " + dir + ": " + ec.message() + (perm ? " (the data directory must be writable)" : ""));
}

Result<DirState> inspect_data_dir(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) return DirState::Absent;
    return fail(errno_message("cannot use " + dir, errno));
  }
  if (!S_ISDIR(st.st_mode)) return fail(dir + " is not a directory");

  std::string marker_path = dir + "/FORMAT";
  struct stat mst;
  if (::stat(marker_path.c_str(), &mst) != 0) {
    if (errno != ENOENT) return fail(errno_message("cannot read " + marker_path, errno));
    std::error_code ec;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
      auto name = it->path().filename().string();
      if (name != "LOCK" && name != "FORMAT.tmp" && name != "system" && name != "user")
        return fail(dir + " is not a faaskeeper data directory (it has other files and no FORMAT marker)");
    }
    if (ec) return fail("cannot list " + dir + ": " + ec.message());
    return DirState::Fresh;
  }
  std::ifstream in(marker_path, std::ios::binary);
  if (!in) return fail("cannot read " + marker_path);
  std::string text(512, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  std::istringstream lines(text);
  std::string magic, word;
  long version = -1;
  std::getline(lines, magic);
  if (magic != kMagic)
    return fail(marker_path + " is corrupted or foreign: it does not start with \"" + kMagic + "\"");
  if (!(lines >> word >> version) || word != "version" || version < 1)
    return fail(marker_path + " is corrupted: no valid \"version N\" line");
  if (version != kLocalFormatVersion)
    return fail(dir + " has data format version " + std::to_string(version) + "; this build reads version " +
                std::to_string(kLocalFormatVersion));
  return DirState::Initialised;
}

Result<std::unique_ptr<DirLock>> DirLock::acquire(const std::string& dir) {
  std::string path = dir + "/LOCK";
  int fd = ::open(path.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0644);
  if (fd < 0) return fail(errno_message("cannot lock " + dir, errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string holder;
    char buf[32] = {0};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (err != EWOULDBLOCK) return fail(errno_message("cannot lock " + dir, err));
    if (n > 0) holder = std::string(buf, static_cast<size_t>(n));
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == ' ')) holder.pop_back();
    return fail(dir + " is in use by process " + (holder.empty() ? std::string("(unknown pid)") : holder) +
                " (another faaskeeper deployment serves it)");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int err = errno;
    ::close(fd);
    return fail(errno_message("cannot lock " + dir, err));
  }
  return std::unique_ptr<DirLock>(new DirLock(fd));
}

DirLock::~DirLock() { ::close(fd_); }

}  // namespace faaskeeper
