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

/// tbdash_produce with one header, `name` = `value` (copied), such as the send stamp a
/// latency trace reads.
static inline rd_kafka_resp_err_t tbdash_produce_with_header(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int32_t partition,
                                                             const void *key, size_t key_len,
                                                             const void *value, size_t value_len,
                                                             int64_t timestamp_ms, const char *name,
                                                             const void *header, size_t header_len) {
    return rd_kafka_producev(rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE((void *)value, value_len),
                             RD_KAFKA_V_TIMESTAMP(timestamp_ms),
                             RD_KAFKA_V_HEADER(name, header, (ssize_t)header_len), RD_KAFKA_V_END);
}

/// The value of a message's last header called `name`, or NULL (headers are parsed on the
/// first call for a message, not before).
static inline const void *tbdash_header(rd_kafka_message_t *message, const char *name, size_t *size) {
    rd_kafka_headers_t *headers = NULL;
    const void *value = NULL;
    if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return NULL;
    if (rd_kafka_header_get_last(headers, name, &value, size) != RD_KAFKA_RESP_ERR_NO_ERROR) return NULL;
    return value;
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
