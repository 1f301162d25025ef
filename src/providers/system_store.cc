#include "providers/system_store.h"

#include <algorithm>

namespace faaskeeper {

namespace {

const Value* find(const Item& item, const std::string& attr) {
  auto it = item.find(attr);
  return it == item.end() ? nullptr : &it->second;
}

// Ordering of two values of the same kind; nullopt when the kinds differ or are unordered.
std::optional<int> compare(const Value& a, const Value& b) {
  if (a.index() != b.index()) return std::nullopt;
  if (auto* x = std::get_if<int64_t>(&a)) {
    int64_t y = std::get<int64_t>(b);
    return *x < y ? -1 : (*x > y ? 1 : 0);
  }
  if (auto* x = std::get_if<std::string>(&a)) return x->compare(std::get<std::string>(b)) < 0 ? -1 : (*x == std::get<std::string>(b) ? 0 : 1);
  // Sets and lists only support equality.
  return a == b ? std::optional<int>(0) : std::nullopt;
}

bool holds(const Predicate& p, const std::optional<Item>& item) {
  const Value* v = item ? find(*item, p.attr) : nullptr;
  switch (p.op) {
    case Predicate::Op::Exists: return v != nullptr;
    case Predicate::Op::NotExists: return v == nullptr;
    case Predicate::Op::Ne:
      if (!v) return true;
      return !(*v == p.value);
    default: break;
  }
  if (!v) return false;
  auto c = compare(*v, p.value);
  if (!c) return false;
  switch (p.op) {
    case Predicate::Op::Eq: return *c == 0;
    case Predicate::Op::Lt: return *c < 0;
    case Predicate::Op::Le: return *c <= 0;
    case Predicate::Op::Gt: return *c > 0;
    case Predicate::Op::Ge: return *c >= 0;
    default: return false;
  }
}

StringSet make_set(std::vector<std::string> s) {
  std::sort(s.begin(), s.end());
  s.erase(std::unique(s.begin(), s.end()), s.end());
  return StringSet{std::move(s)};
}

}  // namespace

bool Condition::evaluate(const std::optional<Item>& item) const {
  if (any_of.empty()) return true;
  for (const auto& clause : any_of) {
    bool all = true;
    for (const auto& p : clause) {
      if (!holds(p, item)) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

Action Action::add_to_set(std::string a, std::vector<std::string> s) {
  return {Kind::AddToSet, std::move(a), make_set(std::move(s))};
}
Action Action::delete_from_set(std::string a, std::vector<std::string> s) {
  return {Kind::DeleteFromSet, std::move(a), make_set(std::move(s))};
}

Status apply_actions(Item& item, const std::vector<Action>& actions) {
  // Validate first so a failing action leaves the item untouched.
  Item next = item;
  for (const auto& a : actions) {
    Value* cur = nullptr;
    if (auto it = next.find(a.attr); it != next.end()) cur = &it->second;
    switch (a.kind) {
      case Action::Kind::Set:
        if (auto* s = std::get_if<StringSet>(&a.value); s && s->items.empty())
          next.erase(a.attr);
        else
          next[a.attr] = a.value;
        break;
      case Action::Kind::Remove: next.erase(a.attr); break;
      case Action::Kind::Add: {
        auto* d = std::get_if<int64_t>(&a.value);
        if (!d || (cur && !std::holds_alternative<int64_t>(*cur)))
          return Status(Error::BadArguments, "Add needs a number attribute: " + a.attr);
        int64_t base = cur ? std::get<int64_t>(*cur) : 0;
        next[a.attr] = base + *d;
        break;
      }
      case Action::Kind::AddToSet:
      case Action::Kind::DeleteFromSet: {
        auto* s = std::get_if<StringSet>(&a.value);
        if (!s || (cur && !std::holds_alternative<StringSet>(*cur)))
          return Status(Error::BadArguments, "set action needs a string-set attribute: " + a.attr);
        std::vector<std::string> base = cur ? std::get<StringSet>(*cur).items : std::vector<std::string>{};
        std::vector<std::string> out;
        if (a.kind == Action::Kind::AddToSet)
          std::set_union(base.begin(), base.end(), s->items.begin(), s->items.end(), std::back_inserter(out));
        else
          std::set_difference(base.begin(), base.end(), s->items.begin(), s->items.end(), std::back_inserter(out));
        if (out.empty())
          next.erase(a.attr);
        else
          next[a.attr] = StringSet{std::move(out)};
        break;
      }
      case Action::Kind::Append: {
        auto* l = std::get_if<std::vector<std::string>>(&a.value);
        if (!l || (cur && !std::holds_alternative<std::vector<std::string>>(*cur)))
          return Status(Error::BadArguments, "Append needs a list attribute: " + a.attr);
        std::vector<std::string> base = cur ? std::get<std::vector<std::string>>(*cur) : std::vector<std::string>{};
        base.insert(base.end(), l->begin(), l->end());
        next[a.attr] = std::move(base);
        break;
      }
    }
  }
  item = std::move(next);
  return Status::OK();
}

std::optional<int64_t> get_int(const Item& item, const std::string& attr) {
  const Value* v = find(item, attr);
  if (!v) return std::nullopt;
  if (auto* x = std::get_if<int64_t>(v)) return *x;
  return std::nullopt;
}
std::optional<std::string> get_bytes(const Item& item, const std::string& attr) {
  const Value* v = find(item, attr);
  if (!v) return std::nullopt;
  if (auto* x = std::get_if<std::string>(v)) return *x;
  return std::nullopt;
}
std::vector<std::string> get_set(const Item& item, const std::string& attr) {
  const Value* v = find(item, attr);
  if (!v) return {};
  if (auto* x = std::get_if<StringSet>(v)) return x->items;
  return {};
}
std::vector<std::string> get_list(const Item& item, const std::string& attr) {
  const Value* v = find(item, attr);
  if (!v) return {};
  if (auto* x = std::get_if<std::vector<std::string>>(v)) return *x;
  return {};
}

}  // namespace faaskeeper
