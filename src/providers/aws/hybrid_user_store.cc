#include "providers/aws/hybrid_user_store.h"

#include <algorithm>

namespace faaskeeper::aws {

using Kind = DynamoUserStore::Entry::Kind;

HybridUserStore::HybridUserStore(std::shared_ptr<DynamoUserStore> index, std::shared_ptr<S3UserStore> blobs,
                                 size_t inline_max)
    : index_(std::move(index)), blobs_(std::move(blobs)), inline_max_(std::min(inline_max, DynamoUserStore::kMaxInlineObject)) {}

Result<std::optional<std::string>> HybridUserStore::get(const std::string& path) {
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    auto e = index_->get_entry(path);
    if (!e.ok()) return e.status();
    if (e->kind == Kind::Absent) return std::optional<std::string>();
    if (e->kind == Kind::Inline) return std::optional<std::string>(std::move(e->object));
    auto blob = blobs_->get(path);
    if (!blob.ok()) return blob.status();
    if (blob->has_value()) return blob;
    // The pointer was replaced between our two reads: look again.
  }
  return Status(Error::DataInconsistency, "node " + path + " points to a missing S3 object");
}

Status HybridUserStore::write_one(const UserWrite& w) {
  if (!w.object) {
    auto before = index_->remove_entry(w.path);
    if (!before.ok()) return before.status();
    // Also delete when the item was already gone: a redo after a crash between the steps.
    if (*before != Kind::Inline) return blobs_->write({{w.path, std::nullopt}});
    return Status::OK();
  }
  if (w.object->size() <= inline_max_) {
    auto prev = index_->put_inline(w.path, *w.object);
    if (!prev.ok()) return prev.status();
    if (*prev == Kind::InS3) return blobs_->write({{w.path, std::nullopt}});
    return Status::OK();
  }
  if (Status s = blobs_->write({w}); !s.ok()) return s;
  auto prev = index_->put_pointer(w.path, w.object->size());
  return prev.ok() ? Status::OK() : prev.status();
}

Status HybridUserStore::write(const std::vector<UserWrite>& writes) {
  for (const auto& w : writes)
    if (Status s = write_one(w); !s.ok()) return s;
  return Status::OK();
}

}  // namespace faaskeeper::aws
