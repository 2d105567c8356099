"""Agent and queue administration: who answers which queues with which device and skills,
and the queues' service rules at run time; every change audited."""
