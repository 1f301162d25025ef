#include "providers/aws/dynamo_codec.h"

#include <algorithm>
#include <charconv>
#include <set>

#include "providers/aws/http.h"

namespace faaskeeper::aws {

using nlohmann::json;

Result<json> encode_value(const Value& v) {
  if (auto* n = std::get_if<int64_t>(&v)) return json{{"N", std::to_string(*n)}};
  if (auto* b = std::get_if<std::string>(&v)) return json{{"B", base64_encode(*b)}};
  if (auto* s = std::get_if<StringSet>(&v)) {
    json arr = json::array();
    for (const auto& m : s->items) {
      if (!is_valid_utf8(m)) return Status(Error::BadArguments, "string-set member is not UTF-8");
      arr.push_back(m);
    }
    return json{{"SS", arr}};
  }
  const auto& l = std::get<std::vector<std::string>>(v);
  json arr = json::array();
  for (const auto& e : l) {
    if (is_valid_utf8(e)) arr.push_back(json{{"S", e}});
    else arr.push_back(json{{"B", base64_encode(e)}});
  }
  return json{{"L", arr}};
}

namespace {
Result<Value> decode_value_unchecked(const json& av) {
  if (!av.is_object() || av.size() != 1) return Status(Error::MarshallingError, "malformed AttributeValue");
  auto first = av.begin();
  const std::string type = first.key();
  const json& body = first.value();
  if (type == "N") {
    std::string s = body.get<std::string>();
    int64_t n = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || p != s.data() + s.size())
      return Status(Error::MarshallingError, "N attribute is not a 64-bit integer: " + s);
    return Value{n};
  }
  if (type == "B") {
    auto b = base64_decode(body.get<std::string>());
    if (!b.ok()) return b.status();
    return Value{std::move(*b)};
  }
  if (type == "S") return Value{body.get<std::string>()};
  if (type == "SS") {
    std::vector<std::string> items = body.get<std::vector<std::string>>();
    std::sort(items.begin(), items.end());
    items.erase(std::unique(items.begin(), items.end()), items.end());
    return Value{StringSet{std::move(items)}};
  }
  if (type == "L") {
    std::vector<std::string> out;
    for (const auto& e : body) {
      if (e.contains("S")) out.push_back(e["S"].get<std::string>());
      else if (e.contains("B")) {
        auto b = base64_decode(e["B"].get<std::string>());
        if (!b.ok()) return b.status();
        out.push_back(std::move(*b));
      } else {
        return Status(Error::MarshallingError, "list element is neither S nor B");
      }
    }
    return Value{std::move(out)};
  }
  return Status(Error::MarshallingError, "unsupported AttributeValue type " + type);
}
}  // namespace

Result<Value> decode_value(const json& av) {
  try {
    return decode_value_unchecked(av);
  } catch (const json::exception& e) {
    return Status(Error::MarshallingError, std::string("malformed AttributeValue: ") + e.what());
  }
}

Result<Item> decode_item(const json& attributes, const std::vector<std::string>& skip) {
  Item item;
  if (!attributes.is_object()) return Status(Error::MarshallingError, "item is not an object");
  for (const auto& [name, av] : attributes.items()) {
    if (std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
    auto v = decode_value(av);
    if (!v.ok()) return Status(v.code(), v.status().message() + " (attribute " + name + ")");
    item.emplace(name, std::move(*v));
  }
  return item;
}

std::string ExpressionBuilder::name(const std::string& attr) {
  auto it = names_.find(attr);
  if (it != names_.end()) return it->second;
  std::string ph = "#n" + std::to_string(names_.size());
  names_.emplace(attr, ph);
  names_json_[ph] = attr;
  return ph;
}

Result<std::string> ExpressionBuilder::value(const Value& v) {
  auto av = encode_value(v);
  if (!av.ok()) return av.status();
  return raw_value(std::move(*av));
}

std::string ExpressionBuilder::raw_value(json av) {
  std::string ph = ":v" + std::to_string(next_value_++);
  values_json_[ph] = std::move(av);
  return ph;
}

void ExpressionBuilder::attach(json& request) const {
  if (!names_json_.empty()) request["ExpressionAttributeNames"] = names_json_;
  if (!values_json_.empty()) request["ExpressionAttributeValues"] = values_json_;
}

Result<std::string> condition_expression(const Condition& c, ExpressionBuilder& b) {
  if (c.any_of.empty()) return std::string();
  std::string out;
  for (const auto& clause : c.any_of) {
    if (clause.empty()) return std::string();  // an empty AND is true, so the OR is true
    std::string part;
    for (const auto& p : clause) {
      std::string n = b.name(p.attr);
      std::string term;
      if (p.op == Predicate::Op::Exists) {
        term = "attribute_exists(" + n + ")";
      } else if (p.op == Predicate::Op::NotExists) {
        term = "attribute_not_exists(" + n + ")";
      } else {
        bool ordering = p.op != Predicate::Op::Eq && p.op != Predicate::Op::Ne;
        if (ordering && (std::holds_alternative<StringSet>(p.value) ||
                         std::holds_alternative<std::vector<std::string>>(p.value))) {
          // Sets and lists are unordered: the comparison is false (DynamoDB would reject it).
          part += (part.empty() ? "" : " AND ") + ("attribute_exists(" + n + ") AND attribute_not_exists(" + n + ")");
          continue;
        }
        auto v = b.value(p.value);
        if (!v.ok()) return v.status();
        const char* op = "=";
        switch (p.op) {
          case Predicate::Op::Eq: op = "="; break;
          case Predicate::Op::Ne: op = "<>"; break;
          case Predicate::Op::Lt: op = "<"; break;
          case Predicate::Op::Le: op = "<="; break;
          case Predicate::Op::Gt: op = ">"; break;
          case Predicate::Op::Ge: op = ">="; break;
          default: break;
        }
        term = n + " " + op + " " + *v;
      }
      part += (part.empty() ? "" : " AND ") + term;
    }
    out += (out.empty() ? "(" : " OR (") + part + ")";
  }
  return out;
}

namespace {

Status cannot_fold(const std::string& attr) {
  return Status(Error::BadArguments, "conflicting actions on attribute " + attr + " in one update");
}

std::vector<std::string> set_union(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_union(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// The single action equivalent to `prev` followed by `next` on the same attribute.
Result<Action> fold(const Action& prev, const Action& next) {
  using K = Action::Kind;
  if (next.kind == K::Set || next.kind == K::Remove) return next;
  if (prev.kind == K::Set || prev.kind == K::Remove) {
    // The attribute's value is known after `prev`: evaluate `next` on it.
    Item scratch;
    if (prev.kind == K::Set) scratch[prev.attr] = prev.value;
    Status s = apply_actions(scratch, {next});
    if (!s.ok()) return s;
    auto it = scratch.find(prev.attr);
    if (it == scratch.end()) return Action::remove(prev.attr);
    return Action::set(prev.attr, it->second);
  }
  if (prev.kind != next.kind) return cannot_fold(prev.attr);
  switch (prev.kind) {
    case K::Add: return Action::add(prev.attr, std::get<int64_t>(prev.value) + std::get<int64_t>(next.value));
    case K::Append: {
      auto l = std::get<std::vector<std::string>>(prev.value);
      const auto& m = std::get<std::vector<std::string>>(next.value);
      l.insert(l.end(), m.begin(), m.end());
      return Action::append(prev.attr, std::move(l));
    }
    case K::AddToSet:
    case K::DeleteFromSet: {
      Action a = prev;
      a.value = StringSet{set_union(std::get<StringSet>(prev.value).items, std::get<StringSet>(next.value).items)};
      return a;
    }
    default: return cannot_fold(prev.attr);
  }
}

bool value_kind_fits(const Action& a) {
  using K = Action::Kind;
  switch (a.kind) {
    case K::Add: return std::holds_alternative<int64_t>(a.value);
    case K::AddToSet:
    case K::DeleteFromSet: return std::holds_alternative<StringSet>(a.value);
    case K::Append: return std::holds_alternative<std::vector<std::string>>(a.value);
    default: return true;
  }
}

}  // namespace

Result<std::string> update_expression(const std::vector<Action>& actions, ExpressionBuilder& b,
                                      const std::vector<std::string>& reserved) {
  std::vector<Action> folded;  // one per attribute, in first-appearance order
  for (const auto& a : actions) {
    if (std::find(reserved.begin(), reserved.end(), a.attr) != reserved.end())
      return Status(Error::BadArguments, "attribute name is reserved by the DynamoDB store: " + a.attr);
    if (!value_kind_fits(a)) return Status(Error::BadArguments, "action value of the wrong kind for " + a.attr);
    auto it = std::find_if(folded.begin(), folded.end(), [&](const Action& f) { return f.attr == a.attr; });
    if (it == folded.end()) {
      folded.push_back(a);
    } else {
      auto f = fold(*it, a);
      if (!f.ok()) return f.status();
      *it = std::move(*f);
    }
  }
  std::vector<std::string> sets, removes, adds, deletes;
  for (const auto& a : folded) {
    std::string n = b.name(a.attr);
    switch (a.kind) {
      case Action::Kind::Set: {
        if (auto* s = std::get_if<StringSet>(&a.value); s && s->items.empty()) {
          removes.push_back(n);
          break;
        }
        auto v = b.value(a.value);
        if (!v.ok()) return v.status();
        sets.push_back(n + " = " + *v);
        break;
      }
      case Action::Kind::Remove: removes.push_back(n); break;
      case Action::Kind::Add: {
        auto v = b.value(a.value);
        if (!v.ok()) return v.status();
        adds.push_back(n + " " + *v);
        break;
      }
      case Action::Kind::AddToSet:
      case Action::Kind::DeleteFromSet: {
        if (std::get<StringSet>(a.value).items.empty()) break;  // no-op
        auto v = b.value(a.value);
        if (!v.ok()) return v.status();
        (a.kind == Action::Kind::AddToSet ? adds : deletes).push_back(n + " " + *v);
        break;
      }
      case Action::Kind::Append: {
        auto v = b.value(a.value);
        if (!v.ok()) return v.status();
        std::string empty = b.raw_value(json{{"L", json::array()}});
        sets.push_back(n + " = list_append(if_not_exists(" + n + ", " + empty + "), " + *v + ")");
        break;
      }
    }
  }
  std::string out;
  auto clause = [&](const char* kw, const std::vector<std::string>& parts) {
    if (parts.empty()) return;
    out += (out.empty() ? "" : " ") + std::string(kw) + " ";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  };
  clause("SET", sets);
  clause("REMOVE", removes);
  clause("ADD", adds);
  clause("DELETE", deletes);
  return out;
}

}  // namespace faaskeeper::aws
