"""One page image and a template in, one page result out (see DESIGN.md)."""
