"""The supervisors' ticket board: open tickets counted per SLA level, overdue and escalated
(for the board's header and the wallboard's SLA tiles), and the board page's files."""
