"""Shapes of the quizzes API, one module per resource. Items are serialized from
`AttemptItem.public_snapshot()` only: the key, explanations and rationales appear solely in a graded
result whose review policy shows them."""
