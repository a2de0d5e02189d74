"""Loading the plan documents' data from ``seed/`` into the tracker."""
