"""Stand-ins for services the tests cannot reach (network edges only), served over real HTTP."""
