// The manifold executable: command-line entry point.
import TensorCore

print("manifold 0.1.0")
