// LocalDeployment: the whole FaaSKeeper system on one machine, durable, serving clients over
// TCP — what `faaskeeper local --data DIR` runs. It assembles:
//   - the local provider on DIR (LMDB system store, user store, durable writer and distributor
//     queues; an exclusive lock on DIR),
//   - the function runtime (writer instances, exactly one distributor, the heartbeat schedule)
//     invoking the same handlers a cloud deployment runs,
//   - the client endpoint on 127.0.0.1, which is also the functions' ClientChannel,
//   - DIR/endpoint, naming the endpoint's address for clients and the CLI.
// A restart on the same DIR continues where the previous process stopped (or crashed): queued
// requests are redelivered and the functions' recovery completes interrupted writes.
#pragma once

#include <memory>
#include <string>

#include "endpoint/chaos.h"
#include "endpoint/endpoint.h"
#include "faaskeeper/error.h"
#include "providers/local/local_database.h"
#include "runtime/function_runtime.h"

namespace faaskeeper {

struct LocalDeploymentOptions {
  std::string data_dir;
  EndpointOptions endpoint;  // port 0: ephemeral
  RuntimeConfig runtime;
  // A lease here is held for about a millisecond (writer to distributor commit on one machine)
  // and a try costs nothing: poll busy leases often, for up to about half a second.
  FunctionConfig functions{.lock_attempts = 150, .lock_backoff_ms = 1, .lock_backoff_max_ms = 4};
  LocalOptions storage;
  bool write_endpoint_file = true;
  ChaosOptions chaos;  // fault injection for the fault campaign; off unless seeded (chaos.h)
};

class LocalDeployment {
 public:
  // Opens DIR, initialises the stores when empty, starts the endpoint and the functions.
  // Errors carry a message for the user: DIR in use by another process, corrupted/foreign DIR,
  // unwritable DIR, port in use.
  static Result<std::unique_ptr<LocalDeployment>> start(LocalDeploymentOptions options);
  ~LocalDeployment();  // stop()
  LocalDeployment(const LocalDeployment&) = delete;
  LocalDeployment& operator=(const LocalDeployment&) = delete;

  // Closes every client connection, stops the functions (waiting for running invocations),
  // removes DIR/endpoint and releases DIR. Idempotent.
  void stop();

  wire::Address address() const;
  const std::string& data_dir() const { return options_.data_dir; }
  Endpoint& endpoint() { return *endpoint_; }
  FunctionRuntime& runtime() { return *runtime_; }
  // The fault injector when options.chaos.seed was set, else nullptr.
  const Chaos* chaos() const;

  struct Parts;

 private:
  explicit LocalDeployment(LocalDeploymentOptions options);
  LocalDeploymentOptions options_;
  std::unique_ptr<Parts> parts_;
  std::unique_ptr<Endpoint> endpoint_;
  std::unique_ptr<FunctionRuntime> runtime_;
  bool stopped_ = false;
};

}  // namespace faaskeeper
