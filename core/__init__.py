"""What both apps share and neither owns: API plumbing, replica routing, owner-scoped admin,
Markdown rendering and the domain error base. `core` imports neither app nor the wiring (`lms`)."""
