// The order pipeline's events: the order-placed event the outbox writes and
// the payment the payment consumers produce, as flat JSON objects.
//
// The outbox writes order ids and customer ids of plain characters only
// (letters, digits, '.', '_', ':' and '-'), so these events need no escaping
// and a field lookup is enough to read them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace queue_demo::demo {

struct OrderPlaced {
  std::string order_id;
  std::string customer_id;
  std::int64_t amount_cents = 0;
};

// ParseOrderPlaced reads an order-placed event. Returns nullopt when a field
// is missing or malformed.
std::optional<OrderPlaced> ParseOrderPlaced(std::string_view json);

// PaymentJson returns the payment event for `order`.
std::string PaymentJson(const OrderPlaced& order);

// JsonStringField and JsonIntegerField return the value of a top-level
// "name": "text" or "name": 123 field of a flat JSON object.
std::optional<std::string> JsonStringField(std::string_view json, std::string_view name);
std::optional<std::int64_t> JsonIntegerField(std::string_view json, std::string_view name);

}  // namespace queue_demo::demo
