#include "functions/env.h"

#include "core/node_object.h"
#include "functions/schema.h"
#include "protocol/messages.h"

namespace faaskeeper {

namespace {

struct InitialNode {
  const char* path;
  std::vector<std::string> children;
};

}  // namespace

Status initialize_stores(SystemStore& system, UserStore& user, Clock& /*clock*/) {
  // ZooKeeper's initial tree. The root's child counter is 0 although it has /zookeeper, so a
  // fresh root shows cversion -1 and its first sequential child gets suffix 0000000000.
  const InitialNode nodes[] = {
      {"/", {"zookeeper"}},
      {"/zookeeper", {"config", "quota"}},
      {"/zookeeper/config", {}},
      {"/zookeeper/quota", {}},
  };
  std::vector<UserWrite> objects;
  for (const auto& n : nodes) {
    NodeMeta meta;
    meta.ctime = meta.mtime = 0;
    meta.num_children = static_cast<int32_t>(n.children.size());
    UpdateOp op{schema::node_key(n.path), Condition::all({Predicate::not_exists(schema::attr::kCreated)}),
                schema::meta_actions(meta)};
    op.actions.push_back(Action::set(schema::attr::kChildren, StringSet{n.children}));
    auto r = system.update(op);
    if (!r.ok()) return r.status();
    auto existing = user.get(n.path);
    if (!existing.ok()) return existing.status();
    if (!*existing) {
      NodeObject obj;
      obj.stat = meta.to_stat(0);
      obj.data = std::string();
      obj.children = n.children;
      objects.push_back({n.path, encode_node_object(obj)});
    }
  }
  if (!objects.empty()) return user.write(objects);
  return Status::OK();
}

}  // namespace faaskeeper
