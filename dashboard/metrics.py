"""The thesis' analytics figures: which GA4 metrics feed which field, and the ratios derived from them.

Ratios are always computed from counts and sums (of a month, or of a whole range), never
averaged from other ratios; a zero denominator gives None.
"""

from decimal import ROUND_HALF_UP, Decimal

# GA4 metric name → MonthlyAnalytics field (INTEGRATIONS.md 2c).
GA4_METRICS = {
    "totalUsers": "users",
    "sessions": "sessions",
    "transactions": "transactions",
    "ecommercePurchases": "ecommerce_purchases",
    "addToCarts": "add_to_carts",
    "purchaseRevenue": "purchase_revenue",
    "itemRevenue": "item_revenue",
    "totalRevenue": "total_revenue",
    "advertiserAdCost": "ad_cost",
}
COUNT_FIELDS = ("users", "sessions", "transactions", "ecommerce_purchases", "add_to_carts")
MONEY_FIELDS = ("purchase_revenue", "item_revenue", "total_revenue", "ad_cost")
SUMMED_FIELDS = COUNT_FIELDS + MONEY_FIELDS
DERIVED_FIELDS = (
    "sessions_per_user",
    "transactions_per_user",
    "revenue_per_transaction",
    "product_revenue_per_purchase",
    "failed_purchase_rate",
    "roi",
)
RATIO_PLACES = Decimal("0.000001")


def _ratio(numerator, denominator) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO_PLACES, rounding=ROUND_HALF_UP)


def derived(figures: dict) -> dict:
    """ROI, failed-purchase rate, transactions per user and the other ratios, from counts and sums."""
    carts, transactions = figures["add_to_carts"], figures["transactions"]
    return {
        "sessions_per_user": _ratio(figures["sessions"], figures["users"]),
        "transactions_per_user": _ratio(transactions, figures["users"]),
        "revenue_per_transaction": _ratio(figures["purchase_revenue"], transactions),
        "product_revenue_per_purchase": _ratio(figures["item_revenue"], figures["ecommerce_purchases"]),
        # Add-to-carts that did not end in a transaction; never below zero when one cart held several purchases.
        "failed_purchase_rate": _ratio(max(carts - transactions, 0), carts),
        "roi": _ratio(Decimal(figures["purchase_revenue"]) - Decimal(figures["ad_cost"]), figures["ad_cost"]),
    }
