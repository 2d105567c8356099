"""95598 work orders (tickets): create and read now; SLA clocks come with their own issue."""
