// Translation between the SystemStore model (Value, Condition, Action) and DynamoDB's JSON
// wire form (AttributeValue, ConditionExpression, UpdateExpression).
//
// Value kinds map onto DynamoDB types:
//   int64_t                  <-> N   (decimal string; a non-integer N is a decode error)
//   std::string (bytes)      <-> B   (base64); an S read back also decodes to bytes
//   StringSet                <-> SS  (members must be UTF-8; an empty set is no attribute)
//   std::vector<std::string> <-> L   of S (UTF-8 element) or B (any other element)
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/system_store.h"

namespace faaskeeper::aws {

Result<nlohmann::json> encode_value(const Value& v);
Result<Value> decode_value(const nlohmann::json& av);
// Decodes an attribute map, leaving out the attribute names in `skip` (key attributes).
Result<Item> decode_item(const nlohmann::json& attributes, const std::vector<std::string>& skip);

// Collects ExpressionAttributeNames (#n0, #n1, ...) and ExpressionAttributeValues
// (:v0, :v1, ...) while expressions are built; every attribute name goes through a
// placeholder, so reserved words and odd characters are safe.
class ExpressionBuilder {
 public:
  std::string name(const std::string& attr);
  Result<std::string> value(const Value& v);
  std::string raw_value(nlohmann::json av);  // an already encoded AttributeValue
  // Adds the collected maps to a request (only when non-empty, as DynamoDB requires).
  void attach(nlohmann::json& request) const;

 private:
  std::map<std::string, std::string> names_;  // attr -> placeholder
  nlohmann::json names_json_ = nlohmann::json::object();
  nlohmann::json values_json_ = nlohmann::json::object();
  int next_value_ = 0;
};

// "(a AND b) OR (c)"; "" when the condition is always true.
Result<std::string> condition_expression(const Condition& c, ExpressionBuilder& b);

// "SET ... REMOVE ... ADD ... DELETE ..."; "" when there is nothing to do. Several actions on
// one attribute are folded into one with the same effect as applying them in order (DynamoDB
// rejects overlapping paths); combinations with no single equivalent (adding to and deleting
// from one set) are BadArguments. `reserved` names attributes that must not be touched.
Result<std::string> update_expression(const std::vector<Action>& actions, ExpressionBuilder& b,
                                      const std::vector<std::string>& reserved);

}  // namespace faaskeeper::aws
