"""nas_backbones."""
