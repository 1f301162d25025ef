// DIR/endpoint: where the deployment serving a data directory listens, so clients and the CLI
// find it with just the directory. One line, "host:port\n", written atomically (temp file +
// rename) once the endpoint is bound, and removed on a clean shutdown. After a crash the file
// stays behind; a client then fails to connect (ConnectionLoss) until a deployment restarts on
// DIR and rewrites it.
#pragma once

#include <string>

#include "endpoint/wire.h"
#include "faaskeeper/error.h"

namespace faaskeeper {

inline constexpr const char* kEndpointFileName = "endpoint";

// Writes DIR/endpoint. SystemError with the file name and errno text on failure.
Status write_endpoint_file(const std::string& dir, const wire::Address& address);

// Reads DIR/endpoint. ConnectionLoss with a hint ("no deployment is serving DIR ...") when the
// file is missing; BadArguments when its content is not host:port.
Result<wire::Address> read_endpoint_file(const std::string& dir);

// Removes DIR/endpoint if it still names `address` (a newer deployment's file is left alone).
void remove_endpoint_file(const std::string& dir, const wire::Address& address);

}  // namespace faaskeeper
