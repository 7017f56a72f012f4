"""netmon's test suite. A regular package (not a namespace one): textfsm 2.1.1 installs a top-level
``tests`` package into site-packages, and any regular package on sys.path outranks a namespace package,
so ``from tests.conftest import ...`` found textfsm's tests instead of ours."""
