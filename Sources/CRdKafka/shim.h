#ifndef TBDASH_CRDKAFKA_SHIM_H
#define TBDASH_CRDKAFKA_SHIM_H
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/// rd_kafka_producev with its arguments fixed: Swift cannot call a variadic C function.
/// Copies key and value; `timestamp_ms` 0 means the send time.
static inline rd_kafka_resp_err_t tbdash_produce(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition,
                                                 const void *key, size_t key_len,
                                                 const void *value, size_t value_len,
                                                 int64_t timestamp_ms) {
    return rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_END);
}

/// tbdash_produce with a tag (non-zero) that comes back in the message's delivery report
/// (`rkmessage->_private`): the report says which request's event it was.
static inline rd_kafka_resp_err_t tbdash_produce_tagged(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition,
                                                        const void *key, size_t key_len,
                                                        const void *value, size_t value_len,
                                                        int64_t timestamp_ms, uintptr_t tag) {
    return rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_TIMESTAMP(timestamp_ms), RD_KAFKA_V_OPAQUE((void *)tag), RD_KAFKA_V_END);
}
#endif
