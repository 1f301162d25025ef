// The provider contract: one GoogleTest suite that every SystemStore / UserStore / Queue
// implementation must pass, so the memory, local and AWS providers are checked identically.
//
// Use from a test binary (link the object library fk_provider_contract):
//
//   #include "tests/providers/contract.h"
//   faaskeeper::contract::ProviderFactory my_factory() { ... }
//   FK_INSTANTIATE_PROVIDER_CONTRACT(Memory, my_factory());
//
// A factory member left empty skips that part of the contract (e.g. a binary that only tests
// a queue). Every factory call must return a fresh, EMPTY instance.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

#include "providers/clock.h"
#include "providers/queue.h"
#include "providers/system_store.h"
#include "providers/user_store.h"

namespace faaskeeper::contract {

struct ProviderFactory {
  std::string name;  // for logs only (the test name comes from the instantiation prefix)

  std::function<std::unique_ptr<SystemStore>()> system_store;
  std::function<std::unique_ptr<UserStore>()> user_store;
  // A fresh empty queue with the default 5-minute dedup window. If `queue_follows_clock`, it
  // must measure visibility timeouts and the dedup window with `clock` (the test advances it).
  std::function<std::unique_ptr<Queue>(Clock& clock)> queue;

  // False for queues on real time (cloud emulators): the suite then lets visibility timeouts
  // elapse for real and skips the checks that need the dedup window to pass.
  bool queue_follows_clock = true;
  // The visibility timeout the suite uses for "short" deliveries (SQS granularity is 1 s).
  std::chrono::milliseconds visibility{1000};
};

// Parameter printing for test logs.
void PrintTo(const ProviderFactory& factory, std::ostream* os);

class SystemStoreContract : public ::testing::TestWithParam<ProviderFactory> {
 protected:
  void SetUp() override;
  std::unique_ptr<SystemStore> store;
};

class UserStoreContract : public ::testing::TestWithParam<ProviderFactory> {
 protected:
  void SetUp() override;
  std::unique_ptr<UserStore> store;
};

class QueueContract : public ::testing::TestWithParam<ProviderFactory> {
 protected:
  void SetUp() override;
  // Lets `ms` pass for the queue: advances the ManualClock, or, for a queue on real time,
  // sleeps until a real timeout of that length has surely elapsed.
  void advance(int64_t ms);
  ManualClock clock;
  std::unique_ptr<Queue> queue;
};

}  // namespace faaskeeper::contract

// Instantiates all three suites for one factory. Use at namespace scope (not inside
// faaskeeper::contract); `prefix` becomes the first part of every test name.
#define FK_INSTANTIATE_PROVIDER_CONTRACT(prefix, factory)                                   \
  using ::faaskeeper::contract::SystemStoreContract;                                       \
  using ::faaskeeper::contract::UserStoreContract;                                         \
  using ::faaskeeper::contract::QueueContract;                                             \
  INSTANTIATE_TEST_SUITE_P(prefix, SystemStoreContract, ::testing::Values(factory));       \
  INSTANTIATE_TEST_SUITE_P(prefix, UserStoreContract, ::testing::Values(factory));         \
  INSTANTIATE_TEST_SUITE_P(prefix, QueueContract, ::testing::Values(factory))
