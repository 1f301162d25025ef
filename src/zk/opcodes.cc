#include "zk/opcodes.h"

namespace faaskeeper::zk {

std::string opcode_name(int32_t op) {
  switch (static_cast<OpCode>(op)) {
    case OpCode::Notification: return "notification";
    case OpCode::Create: return "create";
    case OpCode::Delete: return "delete";
    case OpCode::Exists: return "exists";
    case OpCode::GetData: return "getData";
    case OpCode::SetData: return "setData";
    case OpCode::GetACL: return "getACL";
    case OpCode::SetACL: return "setACL";
    case OpCode::GetChildren: return "getChildren";
    case OpCode::Sync: return "sync";
    case OpCode::Ping: return "ping";
    case OpCode::GetChildren2: return "getChildren2";
    case OpCode::Check: return "check";
    case OpCode::Multi: return "multi";
    case OpCode::Create2: return "create2";
    case OpCode::Reconfig: return "reconfig";
    case OpCode::CheckWatches: return "checkWatches";
    case OpCode::RemoveWatches: return "removeWatches";
    case OpCode::CreateContainer: return "createContainer";
    case OpCode::DeleteContainer: return "deleteContainer";
    case OpCode::CreateTTL: return "createTTL";
    case OpCode::MultiRead: return "multiRead";
    case OpCode::Auth: return "auth";
    case OpCode::SetWatches: return "setWatches";
    case OpCode::Sasl: return "sasl";
    case OpCode::GetEphemerals: return "getEphemerals";
    case OpCode::GetAllChildrenNumber: return "getAllChildrenNumber";
    case OpCode::SetWatches2: return "setWatches2";
    case OpCode::AddWatch: return "addWatch";
    case OpCode::WhoAmI: return "whoAmI";
    case OpCode::CreateSession: return "createSession";
    case OpCode::CloseSession: return "closeSession";
    case OpCode::Error: return "error";
  }
  return "unknown(" + std::to_string(op) + ")";
}

}  // namespace faaskeeper::zk
