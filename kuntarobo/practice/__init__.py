"""The practice system: a small stand-alone web application that imitates a municipal payroll
system's screens, for the demo, the tests and people learning to write browser robots. It is
not kuntarobo and imitates no real vendor's product."""
