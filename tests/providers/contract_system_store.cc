// SystemStore contract: DynamoDB GetItem / UpdateItem / DeleteItem / TransactWriteItems / Query
// semantics as documented in providers/system_store.h.
#include <algorithm>
#include <atomic>
#include <climits>
#include <thread>

#include "contract.h"

namespace faaskeeper::contract {
namespace {

using Op = Predicate::Op;

std::optional<Item> read(SystemStore& s, const std::string& key) {
  auto r = s.get(key);
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : std::nullopt;
}

WriteOutcome upd(SystemStore& s, const std::string& key, Condition c, std::vector<Action> a) {
  auto r = s.update(UpdateOp{key, std::move(c), std::move(a)});
  EXPECT_TRUE(r.ok()) << r.status().to_string();
  return r.ok() ? *r : WriteOutcome{};
}

void put(SystemStore& s, const std::string& key, const Item& item) {
  std::vector<Action> acts;
  for (const auto& [k, v] : item) acts.push_back(Action::set(k, v));
  auto out = upd(s, key, Condition::always(), acts);
  ASSERT_TRUE(out.applied);
}

Item sample() {
  return Item{{"n", int64_t{5}},
              {"neg", int64_t{-3}},
              {"big", int64_t{INT64_MAX}},
              {"b", std::string("m")},
              {"bin", std::string("\x80", 1)},
              {"s", StringSet{{"x", "y"}}},
              {"l", std::vector<std::string>{"p", "q"}}};
}

TEST_P(SystemStoreContract, GetOfAbsentItemIsNullopt) {
  auto r = store->get("nothing");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST_P(SystemStoreContract, UpdateCreatesItemAndGetReturnsEveryKind) {
  Item want = sample();
  want["zero"] = std::string("a\0b\0", 4);  // bytes with NULs survive
  want["empty"] = std::string();
  want["emptylist"] = std::vector<std::string>{};
  put(*store, "k", want);
  EXPECT_EQ(read(*store, "k"), want);
}

TEST_P(SystemStoreContract, UpdateWithoutActionsOnAbsentItemCreatesEmptyItem) {
  auto out = upd(*store, "k", Condition::always(), {});
  EXPECT_TRUE(out.applied);
  ASSERT_TRUE(out.item.has_value());
  EXPECT_TRUE(out.item->empty());
  auto got = read(*store, "k");
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->empty());
}

TEST_P(SystemStoreContract, LargeBytesValueRoundTrips) {
  std::string big(300 * 1024, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 + 7);
  put(*store, "k", Item{{"data", big}});
  auto got = read(*store, "k");
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(get_bytes(*got, "data"), big);
}

TEST_P(SystemStoreContract, EmptyKeyIsBadArguments) {
  EXPECT_EQ(store->get("").code(), Error::BadArguments);
  EXPECT_EQ(store->update(UpdateOp{"", {}, {Action::set("a", int64_t{1})}}).code(), Error::BadArguments);
  EXPECT_EQ(store->remove(DeleteOp{"", {}}).code(), Error::BadArguments);
  EXPECT_EQ(store->transact({CheckOp{"", {}}}).code(), Error::BadArguments);
}

struct PredCase {
  Predicate p;
  bool expected;
};

// Runs each predicate as the condition of an update on a copy of `item` (or on an absent item
// when `item` is nullopt) and checks it applies exactly when expected, writing nothing else.
void check_predicates(SystemStore& store, const std::optional<Item>& item,
                      const std::vector<PredCase>& cases) {
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    std::string key = "pred/" + std::to_string(i);
    if (item) put(store, key, *item);
    SCOPED_TRACE("case " + std::to_string(i) + " attr " + c.p.attr + " op " +
                 std::to_string(static_cast<int>(c.p.op)));
    auto out = upd(store, key, Condition::all({c.p}), {Action::set("hit", int64_t{1})});
    EXPECT_EQ(out.applied, c.expected);
    auto now = read(store, key);
    if (c.expected) {
      Item want = item.value_or(Item{});
      want["hit"] = int64_t{1};
      EXPECT_EQ(out.item, want);
      EXPECT_EQ(now, want);
    } else {
      EXPECT_EQ(out.item, item);  // ALL_OLD: the item as it is
      EXPECT_EQ(now, item);       // nothing written
    }
  }
}

TEST_P(SystemStoreContract, NumberComparisons) {
  check_predicates(*store, sample(),
                   {{Predicate::eq("n", int64_t{5}), true},   {Predicate::eq("n", int64_t{4}), false},
                    {Predicate::ne("n", int64_t{5}), false},  {Predicate::ne("n", int64_t{4}), true},
                    {Predicate::lt("n", int64_t{6}), true},   {Predicate::lt("n", int64_t{5}), false},
                    {Predicate::le("n", int64_t{5}), true},   {Predicate::le("n", int64_t{4}), false},
                    {Predicate::gt("n", int64_t{4}), true},   {Predicate::gt("n", int64_t{5}), false},
                    {Predicate::ge("n", int64_t{5}), true},   {Predicate::ge("n", int64_t{6}), false},
                    {Predicate::lt("neg", int64_t{0}), true}, {Predicate::gt("neg", int64_t{-4}), true},
                    {Predicate::eq("big", int64_t{INT64_MAX}), true},
                    {Predicate::gt("big", int64_t{INT64_MAX - 1}), true},
                    {Predicate::lt("big", int64_t{INT64_MAX}), false}});
}

TEST_P(SystemStoreContract, BytesComparisonsAreUnsignedLexicographic) {
  check_predicates(*store, sample(),
                   {{Predicate::eq("b", std::string("m")), true},
                    {Predicate::ne("b", std::string("m")), false},
                    {Predicate::lt("b", std::string("n")), true},
                    {Predicate::lt("b", std::string("l")), false},
                    {Predicate::le("b", std::string("ma")), true},  // a prefix sorts first
                    {Predicate::gt("b", std::string("")), true},
                    {Predicate::ge("b", std::string("m")), true},
                    {Predicate::gt("b", std::string("m")), false},
                    {Predicate::gt("bin", std::string("\x7f")), true},  // 0x80 > 0x7f
                    {Predicate::lt("bin", std::string("\x7f")), false}});
}

TEST_P(SystemStoreContract, SetsAndListsSupportOnlyEquality) {
  check_predicates(*store, sample(),
                   {{Predicate::eq("s", StringSet{{"x", "y"}}), true},
                    {Predicate::eq("s", StringSet{{"x"}}), false},
                    {Predicate::ne("s", StringSet{{"x"}}), true},
                    {Predicate::lt("s", StringSet{{"z"}}), false},
                    {Predicate::gt("s", StringSet{{"a"}}), false},
                    {Predicate::eq("l", std::vector<std::string>{"p", "q"}), true},
                    {Predicate::eq("l", std::vector<std::string>{"q", "p"}), false},
                    {Predicate::ne("l", std::vector<std::string>{"q", "p"}), true},
                    {Predicate::gt("l", std::vector<std::string>{"a"}), false}});
}

TEST_P(SystemStoreContract, KindMismatchIsFalseExceptNe) {
  check_predicates(*store, sample(),
                   {{Predicate::eq("n", std::string("5")), false},
                    {Predicate::ne("n", std::string("5")), true},
                    {Predicate::lt("n", std::string("9")), false},
                    {Predicate::ge("n", std::string("")), false},
                    {Predicate::eq("b", int64_t{5}), false},
                    {Predicate::gt("b", int64_t{0}), false},
                    {Predicate::eq("s", std::vector<std::string>{"x", "y"}), false},
                    {Predicate::eq("l", StringSet{{"p", "q"}}), false},
                    {Predicate::ne("l", StringSet{{"p", "q"}}), true}});
}

TEST_P(SystemStoreContract, MissingAttributeIsFalseExceptNeAndNotExists) {
  check_predicates(*store, sample(),
                   {{Predicate::exists("n"), true},          {Predicate::not_exists("n"), false},
                    {Predicate::exists("zz"), false},        {Predicate::not_exists("zz"), true},
                    {Predicate::eq("zz", int64_t{0}), false}, {Predicate::ne("zz", int64_t{0}), true},
                    {Predicate::lt("zz", int64_t{1}), false}, {Predicate::le("zz", int64_t{1}), false},
                    {Predicate::gt("zz", int64_t{-1}), false}, {Predicate::ge("zz", int64_t{-1}), false}});
}

TEST_P(SystemStoreContract, MissingItemBehavesAsAllAttributesMissing) {
  check_predicates(*store, std::nullopt,
                   {{Predicate::exists("n"), false},
                    {Predicate::not_exists("n"), true},
                    {Predicate::eq("n", int64_t{0}), false},
                    {Predicate::ne("n", int64_t{0}), true},
                    {Predicate::lt("n", int64_t{1}), false},
                    {Predicate::ge("n", int64_t{-1}), false}});
}

TEST_P(SystemStoreContract, ConditionsInDisjunctiveNormalForm) {
  Item item{{"a", int64_t{1}}, {"b", int64_t{2}}};
  struct DnfCase {
    Condition c;
    bool expected;
  };
  auto eq = [](const char* a, int64_t v) { return Predicate::eq(a, v); };
  std::vector<DnfCase> cases = {
      {Condition::always(), true},
      {Condition::all({}), true},  // an empty clause is an empty AND: true
      {Condition::all({eq("a", 1), eq("b", 2)}), true},
      {Condition::all({eq("a", 1), eq("b", 3)}), false},
      {Condition::all({eq("a", 9)}).or_all({eq("b", 2)}), true},
      {Condition::all({eq("a", 9)}).or_all({eq("b", 9)}), false},
      {Condition::all({eq("a", 1), eq("b", 9)}).or_all({eq("a", 9), eq("b", 2)}), false},
      {Condition::all({eq("a", 1), eq("b", 9)}).or_all({Predicate::not_exists("c")}), true},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("dnf case " + std::to_string(i));
    std::string key = "dnf/" + std::to_string(i);
    put(*store, key, item);
    auto out = upd(*store, key, cases[i].c, {Action::add("a", 10)});
    EXPECT_EQ(out.applied, cases[i].expected);
    EXPECT_EQ(get_int(*read(*store, key), "a"), cases[i].expected ? 11 : 1);
  }
}

TEST_P(SystemStoreContract, FailedConditionReturnsCurrentItemAndWritesNothing) {
  auto absent = upd(*store, "k", Condition::all({Predicate::exists("v")}), {Action::set("v", int64_t{1})});
  EXPECT_FALSE(absent.applied);
  EXPECT_FALSE(absent.item.has_value());
  EXPECT_FALSE(read(*store, "k").has_value());

  put(*store, "k", Item{{"v", int64_t{1}}, {"w", std::string("x")}});
  auto out = upd(*store, "k", Condition::all({Predicate::eq("v", int64_t{2})}),
                 {Action::set("v", int64_t{3}), Action::remove("w")});
  EXPECT_FALSE(out.applied);
  Item now{{"v", int64_t{1}}, {"w", std::string("x")}};
  EXPECT_EQ(out.item, now);
  EXPECT_EQ(read(*store, "k"), now);
}

TEST_P(SystemStoreContract, AppliedUpdateReturnsNewItem) {
  put(*store, "k", Item{{"v", int64_t{1}}, {"w", std::string("x")}});
  auto out = upd(*store, "k", Condition::all({Predicate::eq("v", int64_t{1})}),
                 {Action::add("v", 4), Action::remove("w"), Action::set("z", std::string("new"))});
  EXPECT_TRUE(out.applied);
  Item want{{"v", int64_t{5}}, {"z", std::string("new")}};
  EXPECT_EQ(out.item, want);
  EXPECT_EQ(read(*store, "k"), want);
}

TEST_P(SystemStoreContract, SetReplacesValueOfAnyKind) {
  put(*store, "k", Item{{"v", int64_t{1}}});
  upd(*store, "k", {}, {Action::set("v", std::string("now bytes"))});
  EXPECT_EQ(read(*store, "k"), (Item{{"v", std::string("now bytes")}}));
  upd(*store, "k", {}, {Action::set("v", StringSet{{"a"}})});
  EXPECT_EQ(read(*store, "k"), (Item{{"v", StringSet{{"a"}}}}));
}

TEST_P(SystemStoreContract, SetOfEmptyStringSetRemovesAttribute) {
  put(*store, "k", Item{{"v", StringSet{{"a"}}}, {"keep", int64_t{1}}});
  auto out = upd(*store, "k", {}, {Action::set("v", StringSet{})});
  EXPECT_TRUE(out.applied);
  Item want{{"keep", int64_t{1}}};
  EXPECT_EQ(out.item, want);
  EXPECT_EQ(read(*store, "k"), want);
}

TEST_P(SystemStoreContract, RemoveAttributeIncludingAbsentOne) {
  put(*store, "k", Item{{"a", int64_t{1}}, {"b", int64_t{2}}});
  auto out = upd(*store, "k", {}, {Action::remove("a"), Action::remove("never")});
  EXPECT_TRUE(out.applied);
  EXPECT_EQ(read(*store, "k"), (Item{{"b", int64_t{2}}}));
}

TEST_P(SystemStoreContract, AddIncrementsNumbersAbsentCountsAsZero) {
  upd(*store, "k", {}, {Action::add("c", 7)});
  EXPECT_EQ(get_int(*read(*store, "k"), "c"), 7);
  upd(*store, "k", {}, {Action::add("c", -10)});
  EXPECT_EQ(get_int(*read(*store, "k"), "c"), -3);
  // Several actions on one attribute apply in order.
  upd(*store, "k", {}, {Action::add("c", 1), Action::add("c", 1)});
  EXPECT_EQ(get_int(*read(*store, "k"), "c"), -1);
}

TEST_P(SystemStoreContract, AddToSetAndDeleteFromSet) {
  auto out = upd(*store, "k", {}, {Action::add_to_set("s", {"b", "a", "b"})});
  EXPECT_EQ(get_set(*out.item, "s"), (std::vector<std::string>{"a", "b"}));
  upd(*store, "k", {}, {Action::add_to_set("s", {"c", "a"})});
  EXPECT_EQ(get_set(*read(*store, "k"), "s"), (std::vector<std::string>{"a", "b", "c"}));
  upd(*store, "k", {}, {Action::delete_from_set("s", {"b", "zzz"})});
  EXPECT_EQ(get_set(*read(*store, "k"), "s"), (std::vector<std::string>{"a", "c"}));
  // Deleting from an absent set is a no-op.
  out = upd(*store, "k", {}, {Action::delete_from_set("none", {"x"})});
  EXPECT_TRUE(out.applied);
  EXPECT_EQ(out.item->count("none"), 0u);
}

TEST_P(SystemStoreContract, EmptiedSetIsRemoved) {
  put(*store, "k", Item{{"s", StringSet{{"a", "b"}}}, {"keep", int64_t{1}}});
  auto out = upd(*store, "k", {}, {Action::delete_from_set("s", {"a", "b"})});
  EXPECT_TRUE(out.applied);
  EXPECT_EQ(out.item, (Item{{"keep", int64_t{1}}}));
  EXPECT_EQ(read(*store, "k"), (Item{{"keep", int64_t{1}}}));
  // Absent again: not_exists holds.
  out = upd(*store, "k", Condition::all({Predicate::not_exists("s")}), {Action::add("keep", 1)});
  EXPECT_TRUE(out.applied);
}

TEST_P(SystemStoreContract, AppendToList) {
  upd(*store, "k", {}, {Action::append("l", {"a"})});
  upd(*store, "k", {}, {Action::append("l", {"b", "a"})});
  EXPECT_EQ(get_list(*read(*store, "k"), "l"), (std::vector<std::string>{"a", "b", "a"}));
}

TEST_P(SystemStoreContract, KindErrorsAreBadArgumentsAndLeaveItemUntouched) {
  Item before = sample();
  put(*store, "k", before);
  std::vector<std::vector<Action>> bad = {
      {Action::add("b", 1)},                              // add on bytes
      {Action::add("s", 1)},                              // add on a set
      {Action{Action::Kind::Add, "n", std::string("1")}},  // add with a non-number
      {Action::add_to_set("n", {"x"})},                   // set op on a number
      {Action::delete_from_set("l", {"p"})},              // set op on a list
      {Action{Action::Kind::AddToSet, "s", std::string("x")}},  // set op with bytes operand
      {Action::append("s", {"x"})},                       // append to a set
      {Action{Action::Kind::Append, "l", int64_t{1}}},    // append a number
      // earlier valid actions are not applied when a later one fails
      {Action::set("n", int64_t{99}), Action::remove("b"), Action::add("l", 1)},
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    SCOPED_TRACE("bad action set " + std::to_string(i));
    auto r = store->update(UpdateOp{"k", {}, bad[i]});
    EXPECT_EQ(r.code(), Error::BadArguments);
    EXPECT_EQ(read(*store, "k"), before);
  }
  // On an absent item a failing action creates nothing.
  auto r = store->update(UpdateOp{"absent", {}, {Action::set("a", int64_t{1}),
                                                   Action{Action::Kind::Add, "a2", std::string("x")}}});
  EXPECT_EQ(r.code(), Error::BadArguments);
  EXPECT_FALSE(read(*store, "absent").has_value());
}

TEST_P(SystemStoreContract, ConditionalRemove) {
  put(*store, "k", Item{{"v", int64_t{1}}});
  auto r = store->remove(DeleteOp{"k", Condition::all({Predicate::eq("v", int64_t{2})})});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->applied);
  EXPECT_EQ(r->item, (Item{{"v", int64_t{1}}}));
  EXPECT_TRUE(read(*store, "k").has_value());

  r = store->remove(DeleteOp{"k", Condition::all({Predicate::eq("v", int64_t{1})})});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->applied);
  EXPECT_FALSE(r->item.has_value());
  EXPECT_FALSE(read(*store, "k").has_value());

  // Removing an absent item is not an error; a condition on it sees a missing item.
  r = store->remove(DeleteOp{"k", {}});
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->applied);
  r = store->remove(DeleteOp{"k", Condition::all({Predicate::exists("v")})});
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->applied);
  EXPECT_FALSE(r->item.has_value());
}

TEST_P(SystemStoreContract, TransactionCommitsEveryOp) {
  put(*store, "a", Item{{"v", int64_t{1}}});
  put(*store, "b", Item{{"v", int64_t{2}}});
  put(*store, "c", Item{{"v", int64_t{3}}});
  auto r = store->transact({
      UpdateOp{"a", Condition::all({Predicate::eq("v", int64_t{1})}), {Action::add("v", 10)}},
      DeleteOp{"b", Condition::all({Predicate::eq("v", int64_t{2})})},
      CheckOp{"c", Condition::all({Predicate::eq("v", int64_t{3})})},
      UpdateOp{"new", Condition::all({Predicate::not_exists("v")}), {Action::set("v", int64_t{4})}},
      CheckOp{"absent", Condition::all({Predicate::not_exists("v")})},
  });
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->committed);
  EXPECT_TRUE(r->failed.empty());
  EXPECT_EQ(read(*store, "a"), (Item{{"v", int64_t{11}}}));
  EXPECT_FALSE(read(*store, "b").has_value());
  EXPECT_EQ(read(*store, "c"), (Item{{"v", int64_t{3}}}));
  EXPECT_EQ(read(*store, "new"), (Item{{"v", int64_t{4}}}));
  EXPECT_FALSE(read(*store, "absent").has_value());  // a check writes nothing
}

TEST_P(SystemStoreContract, CancelledTransactionListsFailedOpsAndHasNoEffect) {
  put(*store, "a", Item{{"v", int64_t{1}}});
  put(*store, "b", Item{{"v", int64_t{2}}});
  put(*store, "c", Item{{"v", int64_t{3}}});
  auto snapshot = [&] {
    return std::vector<std::optional<Item>>{read(*store, "a"), read(*store, "b"), read(*store, "c"),
                                            read(*store, "d"), read(*store, "e")};
  };
  auto before = snapshot();
  auto r = store->transact({
      UpdateOp{"a", Condition::all({Predicate::eq("v", int64_t{1})}), {Action::add("v", 10)}},  // ok
      DeleteOp{"b", Condition::all({Predicate::eq("v", int64_t{99})})},                        // fails
      UpdateOp{"d", {}, {Action::set("v", int64_t{4})}},                                        // ok
      CheckOp{"c", Condition::all({Predicate::gt("v", int64_t{3})})},                          // fails
      UpdateOp{"e", Condition::all({Predicate::exists("v")}), {Action::set("v", int64_t{5})}},  // fails
  });
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_FALSE(r->committed);
  EXPECT_EQ(r->failed, (std::vector<size_t>{1, 3, 4}));
  EXPECT_EQ(snapshot(), before);
}

TEST_P(SystemStoreContract, TransactionWithKindErrorIsBadArgumentsWithoutEffect) {
  put(*store, "a", Item{{"v", int64_t{1}}});
  put(*store, "b", Item{{"v", std::string("bytes")}});
  auto r = store->transact({
      UpdateOp{"a", {}, {Action::add("v", 1)}},
      UpdateOp{"b", {}, {Action::add("v", 1)}},
  });
  EXPECT_EQ(r.code(), Error::BadArguments);
  EXPECT_EQ(read(*store, "a"), (Item{{"v", int64_t{1}}}));
  EXPECT_EQ(read(*store, "b"), (Item{{"v", std::string("bytes")}}));
}

TEST_P(SystemStoreContract, TransactionRejectsDuplicateKeys) {
  put(*store, "a", Item{{"v", int64_t{1}}});
  auto r = store->transact({
      UpdateOp{"a", {}, {Action::add("v", 1)}},
      CheckOp{"a", Condition::all({Predicate::exists("v")})},
  });
  EXPECT_EQ(r.code(), Error::BadArguments);
  EXPECT_EQ(read(*store, "a"), (Item{{"v", int64_t{1}}}));
}

// Up to max_transaction_items() ops commit together (at least DynamoDB's 100); one more is
// refused without effect. Limits above 300 are checked up to 300 ops here.
TEST_P(SystemStoreContract, TransactionSizeLimit) {
  const size_t limit = store->max_transaction_items();
  ASSERT_GE(limit, SystemStore::kMaxTxnOps);
  const size_t n = std::min<size_t>(limit, 300);
  std::vector<TxnOp> ops;
  for (size_t i = 0; i < n; ++i)
    ops.push_back(UpdateOp{"t/" + std::to_string(i), {}, {Action::set("v", int64_t(i))}});
  auto r = store->transact(ops);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->committed);
  EXPECT_EQ(store->scan("t/")->size(), n);
  if (n < limit) return;

  ops.push_back(UpdateOp{"u/extra", {}, {Action::set("v", int64_t{1})}});
  r = store->transact(ops);
  EXPECT_EQ(r.code(), Error::BadArguments);
  EXPECT_FALSE(read(*store, "u/extra").has_value());
}

TEST_P(SystemStoreContract, EmptyTransactionCommits) {
  auto r = store->transact({});
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_TRUE(r->committed);
  EXPECT_TRUE(r->failed.empty());
}

TEST_P(SystemStoreContract, ScanByPrefixInKeyOrder) {
  for (const std::string& k :
       std::vector<std::string>{"b", "a/c", "ab", "a/", "a/b/x", "a/b", "a", "a/\xff"})
    put(*store, k, Item{{"k", std::string(k)}});
  auto r = store->scan("a/");
  ASSERT_TRUE(r.ok());
  std::vector<std::string> keys;
  for (const auto& [k, item] : *r) {
    keys.push_back(k);
    EXPECT_EQ(get_bytes(item, "k"), k);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a/", "a/b", "a/b/x", "a/c", "a/\xff"}));
  EXPECT_EQ(store->scan("")->size(), 8u);
  EXPECT_TRUE(store->scan("zzz")->empty());
  EXPECT_EQ(store->scan("a/b")->size(), 2u);
}

// Keys far longer than any one storage engine's native key limit, sharing long prefixes.
TEST_P(SystemStoreContract, LongKeys) {
  std::string base(600, 'p');
  std::vector<std::string> keys = {base + std::string(300, 'b'), base + std::string(300, 'a'),
                                   base + "a", base, base + std::string(300, 'a') + "z"};
  for (size_t i = 0; i < keys.size(); ++i) put(*store, keys[i], Item{{"i", int64_t(i)}});
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(get_int(*read(*store, keys[i]), "i"), int64_t(i));
  EXPECT_FALSE(read(*store, base + std::string(300, 'c')).has_value());
  auto r = store->scan(base + "a");
  ASSERT_TRUE(r.ok());
  std::vector<std::string> got;
  for (auto& [k, item] : *r) got.push_back(k);
  EXPECT_EQ(got, (std::vector<std::string>{base + "a", keys[1], keys[4]}));
  EXPECT_EQ(store->scan(base)->size(), keys.size());
  auto out = store->remove(DeleteOp{keys[0], Condition::all({Predicate::eq("i", int64_t{0})})});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->applied);
  EXPECT_FALSE(read(*store, keys[0]).has_value());
}

TEST_P(SystemStoreContract, ConcurrentConditionalIncrementsAreExact) {
  constexpr int kThreads = 8, kEach = 25;
  put(*store, "ctr", Item{{"v", int64_t{0}}});
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int done = 0; done < kEach;) {
        auto cur = store->get("ctr");
        if (!cur.ok() || !cur->has_value()) { ++errors; return; }
        int64_t v = *get_int(**cur, "v");
        auto r = store->update(UpdateOp{"ctr", Condition::all({Predicate::eq("v", v)}),
                                        {Action::set("v", v + 1)}});
        if (!r.ok()) { ++errors; return; }
        if (r->applied) ++done;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(get_int(*read(*store, "ctr"), "v"), kThreads * kEach);
}

}  // namespace
}  // namespace faaskeeper::contract
