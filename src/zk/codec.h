// Umbrella header of fk_zk, the ZooKeeper wire-protocol codec (no networking).
//
//   frame.h      FrameDecoder: byte stream → frames / four-letter command; length limits
//   handshake.h  ConnectRequest / ConnectResponse (44/45-byte forms mirrored)
//   request.h    split_request + decode_request → Request variant; encode_request
//   response.h   encode_reply / encode_notification; decode_response (client side)
//   multi.h      multi / multiRead ops and results
//   records.h    every jute record; jute.h the primitives
#pragma once

#include "zk/frame.h"
#include "zk/handshake.h"
#include "zk/jute.h"
#include "zk/limits.h"
#include "zk/multi.h"
#include "zk/opcodes.h"
#include "zk/records.h"
#include "zk/request.h"
#include "zk/response.h"
