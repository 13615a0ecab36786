"""Loading a drop: land it in its own staging area, then publish it to the loaded tables."""
