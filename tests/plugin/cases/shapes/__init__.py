from shapes.sizes import M as M
from shapes.sizes import N as N
