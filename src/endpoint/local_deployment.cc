#include "endpoint/local_deployment.h"

#include "endpoint/endpoint_file.h"
#include "providers/local/local_queue.h"
#include "providers/local/local_system_store.h"
#include "providers/local/local_user_store.h"

namespace faaskeeper {

struct LocalDeployment::Parts {
  SystemClock clock;
  std::shared_ptr<LocalDatabase> db;
  std::unique_ptr<LocalSystemStore> system;
  std::unique_ptr<LocalUserStore> user;
  std::unique_ptr<LocalQueue> writer_queue, distributor_queue, watch_queue;
  // Only with options.chaos.seed: the fault injector and the functions' views of the queues.
  std::unique_ptr<Chaos> chaos;
  std::unique_ptr<Queue> chaos_writer_queue, chaos_distributor_queue, chaos_watch_queue;
};

LocalDeployment::LocalDeployment(LocalDeploymentOptions options) : options_(std::move(options)) {}

LocalDeployment::~LocalDeployment() { stop(); }

Result<std::unique_ptr<LocalDeployment>> LocalDeployment::start(LocalDeploymentOptions options) {
  std::unique_ptr<LocalDeployment> d(new LocalDeployment(std::move(options)));
  d->parts_ = std::make_unique<Parts>();
  Parts& p = *d->parts_;
  auto db = LocalDatabase::open(d->options_.data_dir, d->options_.storage);
  if (!db.ok()) return db.status();
  p.db = *db;
  p.system = std::make_unique<LocalSystemStore>(p.db);
  p.user = std::make_unique<LocalUserStore>(p.db);
  auto open_queue = [&](const char* name, std::unique_ptr<LocalQueue>& out) -> Status {
    auto q = LocalQueue::open(p.db, name, p.clock);
    if (!q.ok()) return Status(q.code(), std::string("cannot open the ") + name + " queue: " + q.status().message());
    out = std::move(*q);
    return Status::OK();
  };
  if (Status s = open_queue("writer", p.writer_queue); !s.ok()) return s;
  if (Status s = open_queue("distributor", p.distributor_queue); !s.ok()) return s;
  if (Status s = open_queue("watch", p.watch_queue); !s.ok()) return s;
  if (Status s = initialize_stores(*p.system, *p.user, p.clock); !s.ok())
    return Status(s.code(), "cannot initialise the stores in " + d->options_.data_dir + ": " + s.message());

  // A live client answers every ping within a heartbeat period; two periods of silence mean it
  // is gone or frozen, and its session then expires after its timeout, as in ZooKeeper.
  EndpointOptions endpoint = d->options_.endpoint;
  if (endpoint.liveness_grace.count() == 0 && d->options_.runtime.heartbeat_interval.count() > 0)
    endpoint.liveness_grace = std::max(std::chrono::milliseconds(200), 2 * d->options_.runtime.heartbeat_interval);
  d->endpoint_ = std::make_unique<Endpoint>(*p.writer_queue, *p.user, endpoint);
  if (Status s = d->endpoint_->start(); !s.ok()) return s;

  FunctionEnv env;
  env.system = p.system.get();
  env.user = p.user.get();
  env.writer_queue = p.writer_queue.get();
  env.distributor_queue = p.distributor_queue.get();
  env.watch_queue = p.watch_queue.get();
  env.channel = d->endpoint_.get();
  env.clock = &p.clock;
  env.config = d->options_.functions;
  if (d->options_.chaos.seed != 0) {
    p.chaos = std::make_unique<Chaos>(d->options_.chaos, p.clock);
    p.chaos_writer_queue = p.chaos->wrap(*p.writer_queue, "writer_queue");
    p.chaos_distributor_queue = p.chaos->wrap(*p.distributor_queue, "distributor_queue");
    p.chaos_watch_queue = p.chaos->wrap(*p.watch_queue, "watch_queue");
    env.writer_queue = p.chaos_writer_queue.get();
    env.distributor_queue = p.chaos_distributor_queue.get();
    env.watch_queue = p.chaos_watch_queue.get();
    env.clock = &p.chaos->clock();
    env.step_hook = p.chaos->step_hook();
  }
  d->runtime_ = std::make_unique<FunctionRuntime>(std::move(env), d->options_.runtime);
  d->runtime_->start();

  if (d->options_.write_endpoint_file) {
    if (Status s = write_endpoint_file(d->options_.data_dir, d->endpoint_->address()); !s.ok()) return s;
  }
  return d;
}

void LocalDeployment::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (endpoint_ && options_.write_endpoint_file) remove_endpoint_file(options_.data_dir, endpoint_->address());
  if (endpoint_) endpoint_->stop();  // clients see the connection close at once
  if (runtime_) runtime_->stop();    // running invocations finish; their sends go nowhere
  runtime_.reset();
  endpoint_.reset();
  parts_.reset();  // queues, stores, then the database and its lock
}

wire::Address LocalDeployment::address() const { return endpoint_->address(); }

const Chaos* LocalDeployment::chaos() const { return parts_ ? parts_->chaos.get() : nullptr; }

}  // namespace faaskeeper
