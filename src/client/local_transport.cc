#include "client/local_transport.h"

#include "endpoint/endpoint_file.h"
#include "providers/local/local_user_reader.h"

namespace faaskeeper {

Result<std::shared_ptr<LocalTransport>> LocalTransport::open(const std::string& dir, TcpTransportOptions options) {
  auto reader = LocalUserReader::open(dir);
  if (!reader.ok()) return reader.status();
  auto tcp = TcpTransport::connect([dir] { return read_endpoint_file(dir); }, options);
  if (!tcp.ok()) return tcp.status();
  return std::shared_ptr<LocalTransport>(new LocalTransport(std::move(*tcp), std::move(*reader)));
}

Status LocalTransport::attach(int64_t session_id, Receiver receiver) {
  return tcp_->attach(session_id, std::move(receiver));
}
void LocalTransport::detach(int64_t session_id) { tcp_->detach(session_id); }
Status LocalTransport::submit(const ClientRequest& request) { return tcp_->submit(request); }

Result<std::optional<std::string>> LocalTransport::read(const std::string& path) {
  if (Status s = tcp_->ensure_connected(); !s.ok()) return s;
  return reader_->get(path);
}

}  // namespace faaskeeper
