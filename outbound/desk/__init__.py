"""The desk's side of campaigns: the values and ports of dispositions and promises to pay
(the decisions are in `outbound.dispositions` and `outbound.promises`)."""
