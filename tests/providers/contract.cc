#include "contract.h"

#include <thread>

namespace faaskeeper::contract {

// A binary may instantiate only some of the suites.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(SystemStoreContract);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(UserStoreContract);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(QueueContract);

void PrintTo(const ProviderFactory& factory, std::ostream* os) { *os << factory.name; }

void SystemStoreContract::SetUp() {
  if (!GetParam().system_store) GTEST_SKIP() << GetParam().name << " has no system store";
  store = GetParam().system_store();
  ASSERT_NE(store, nullptr);
}

void UserStoreContract::SetUp() {
  if (!GetParam().user_store) GTEST_SKIP() << GetParam().name << " has no user store";
  store = GetParam().user_store();
  ASSERT_NE(store, nullptr);
}

void QueueContract::SetUp() {
  if (!GetParam().queue) GTEST_SKIP() << GetParam().name << " has no queue";
  queue = GetParam().queue(clock);
  ASSERT_NE(queue, nullptr);
}

void QueueContract::advance(int64_t ms) {
  clock.advance(ms);
  // A queue on real time needs the timeout to pass for real; this is the timeout under test,
  // not synchronisation with another thread.
  if (!GetParam().queue_follows_clock) std::this_thread::sleep_for(std::chrono::milliseconds(ms + 100));
}

}  // namespace faaskeeper::contract
