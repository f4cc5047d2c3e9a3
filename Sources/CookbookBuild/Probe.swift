import Spicerack
public enum BuildProbe {}
