#include "faaskeeper/types.h"

namespace faaskeeper {

std::string event_type_name(EventType t) {
  switch (t) {
    case EventType::None: return "None";
    case EventType::NodeCreated: return "NodeCreated";
    case EventType::NodeDeleted: return "NodeDeleted";
    case EventType::NodeDataChanged: return "NodeDataChanged";
    case EventType::NodeChildrenChanged: return "NodeChildrenChanged";
    case EventType::DataWatchRemoved: return "DataWatchRemoved";
    case EventType::ChildWatchRemoved: return "ChildWatchRemoved";
    case EventType::PersistentWatchRemoved: return "PersistentWatchRemoved";
  }
  return "Unknown(" + std::to_string(static_cast<int32_t>(t)) + ")";
}

}  // namespace faaskeeper
