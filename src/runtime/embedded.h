// EmbeddedDeployment: the whole FaaSKeeper system in one process, on the memory providers and
// the function runtime. Used by tests and the in-process demo; clients connect with connect().
#pragma once

#include <memory>

#include "faaskeeper/client.h"
#include "providers/memory/memory_client_channel.h"
#include "providers/memory/memory_queue.h"
#include "providers/memory/memory_system_store.h"
#include "providers/memory/memory_user_store.h"
#include "runtime/function_runtime.h"

namespace faaskeeper {

struct EmbeddedOptions {
  RuntimeConfig runtime;
  FunctionConfig functions;
  // Shared by the functions and the queues. nullptr: the system clock.
  Clock* clock = nullptr;
  std::function<void(std::string_view)> step_hook;
  // Wrap the providers (fault injection): each receives the real provider and returns the one
  // the functions use. nullptr: no wrapping.
  std::function<SystemStore*(SystemStore*)> wrap_system_store;
  std::function<Queue*(Queue*)> wrap_distributor_queue;
};

class EmbeddedDeployment {
 public:
  explicit EmbeddedDeployment(EmbeddedOptions options = {});
  ~EmbeddedDeployment();

  Result<std::unique_ptr<Client>> connect(ClientOptions options = {});
  std::shared_ptr<ClientTransport> transport() { return transport_; }

  MemorySystemStore& system_store() { return system_; }
  MemoryUserStore& user_store() { return user_; }
  MemoryQueue& writer_queue() { return *writer_queue_; }
  MemoryQueue& distributor_queue() { return *distributor_queue_; }
  MemoryQueue& watch_queue() { return *watch_queue_; }
  MemoryClientChannel& channel() { return channel_; }
  FunctionRuntime& runtime() { return *runtime_; }
  Clock& clock() { return *clock_; }

 private:
  SystemClock system_clock_;
  Clock* clock_;
  MemorySystemStore system_;
  MemoryUserStore user_;
  std::unique_ptr<MemoryQueue> writer_queue_, distributor_queue_, watch_queue_;
  MemoryClientChannel channel_;
  std::shared_ptr<ClientTransport> transport_;
  std::unique_ptr<FunctionRuntime> runtime_;
};

}  // namespace faaskeeper
